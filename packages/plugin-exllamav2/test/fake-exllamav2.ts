/**
 * The fake `exllamav2` core classes both test files put on PYTHONPATH, shaped like exllamav2's
 * model loading API (ExLlamaV2Config, ExLlamaV2, ExLlamaV2Cache, load_autosplit,
 * ExLlamaV2Tokenizer.encode); a model folder ending in "missing" fails like a folder without
 * config.json; torch reports CUDA 12.4 and a device. Each test file brings its own fake generator.
 */
export const FAKE_EXLLAMAV2 = `
__version__ = "0.3.2-fake"

class Tensor:
    def __init__(self, n, text=""):
        self.shape = (1, n)
        self.text = text

class ExLlamaV2Config:
    def __init__(self, model_dir):
        if model_dir.endswith("missing"):
            raise FileNotFoundError("Can't find config.json in " + model_dir)
        self.model_dir = model_dir
        self.max_seq_len = 4096

class ExLlamaV2:
    def __init__(self, config):
        self.config = config
    def load_autosplit(self, cache, progress=False):
        pass

class ExLlamaV2Cache:
    def __init__(self, model, max_seq_len=-1, lazy=False):
        self.model = model

class ExLlamaV2Tokenizer:
    def __init__(self, config):
        pass
    def encode(self, text):
        return Tensor(len(text.split()), text)
`;

export const FAKE_TORCH = `
class version:
    cuda = "12.4"
class cuda:
    @staticmethod
    def is_available():
        return True
    @staticmethod
    def get_device_name(index=0):
        return "NVIDIA GeForce RTX 4090"
`;

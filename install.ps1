# Installs the standalone llm-speed on Windows: no Node.js or npm needed (the archive carries its own Node).
#
#   irm https://github.com/llm-speed/llm-speed/raw/main/install.ps1 | iex
#
# It downloads SHA256SUMS and the archive for this machine from the release, checks the archive's
# SHA-256, and unpacks it into $env:LLM_SPEED_INSTALL_DIR (default %LOCALAPPDATA%\llm-speed),
# replacing an earlier install there only once the new one is complete. It then prints the command
# that adds llm-speed to your PATH; it changes no setting itself.
#
# Settings (environment): LLM_SPEED_VERSION (e.g. 0.1.0; default the latest release),
# LLM_SPEED_INSTALL_DIR, LLM_SPEED_RELEASE_URL (the folder holding SHA256SUMS and the archives).
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$Repo = 'https://github.com/llm-speed/llm-speed'
$InstallDir = if ($env:LLM_SPEED_INSTALL_DIR) { $env:LLM_SPEED_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'llm-speed' }
if ($env:LLM_SPEED_RELEASE_URL) { $Base = $env:LLM_SPEED_RELEASE_URL.TrimEnd('/') }
elseif ($env:LLM_SPEED_VERSION) { $Base = "$Repo/releases/download/v$($env:LLM_SPEED_VERSION.TrimStart('v'))" }
else { $Base = "$Repo/releases/latest/download" }
$NpmHint = 'Or install with npm where Node.js 20.12 or newer is available: npm install -g llm-speed'

function Fail([string]$Message, [string[]]$Hints = @()) {
  Write-Host "llm-speed install: $Message" -ForegroundColor Red
  foreach ($hint in $Hints) { Write-Host "  $hint" }
  exit 1
}

switch ($env:PROCESSOR_ARCHITECTURE) {
  'AMD64' { $Target = 'win-x64' }
  'ARM64' { $Target = 'win-arm64' }
  default { $Target = "win-$($env:PROCESSOR_ARCHITECTURE.ToLower())" }
}
$Archive = "llm-speed-$Target.zip"

# Everything is made in a temp folder first: whatever fails, nothing half-made is left behind.
$Work = Join-Path ([IO.Path]::GetTempPath()) ("llm-speed-install." + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $Work | Out-Null
$New = Join-Path $InstallDir '.llm-speed.new'
try {
  try { Invoke-WebRequest -UseBasicParsing -Uri "$Base/SHA256SUMS" -OutFile (Join-Path $Work 'SHA256SUMS') }
  catch { Fail "could not download $Base/SHA256SUMS." @('Check the network, or set LLM_SPEED_VERSION to a released version.') }
  $sums = Get-Content (Join-Path $Work 'SHA256SUMS') | Where-Object { $_ -match '^[0-9a-fA-F]{64}\s+\S+$' }
  $line = $sums | Where-Object { ($_ -split '\s+')[1] -eq $Archive } | Select-Object -First 1
  if (-not $line) {
    $available = ($sums | ForEach-Object { ($_ -split '\s+')[1] } | Where-Object { $_ -match '^llm-speed-(.+)\.(tar\.xz|zip)$' } | ForEach-Object { $_ -replace '^llm-speed-(.+)\.(tar\.xz|zip)$', '$1' }) -join ' '
    if (-not $available) { $available = 'none' }
    Fail "there is no standalone llm-speed for $Target in this release (there are: $available)." @($NpmHint)
  }
  $expected = ($line -split '\s+')[0].ToLower()
  Write-Host "downloading $Archive"
  $file = Join-Path $Work $Archive
  try { Invoke-WebRequest -UseBasicParsing -Uri "$Base/$Archive" -OutFile $file }
  catch { Fail "could not download $Base/$Archive." }
  $actual = (Get-FileHash -Algorithm SHA256 -Path $file).Hash.ToLower()
  if ($actual -ne $expected) {
    Fail "the download's SHA-256 is $actual, but SHA256SUMS says ${expected}: refusing it, nothing was installed." @("Try again; if it happens again, report it at $Repo/issues.")
  }

  $unpacked = Join-Path $Work 'unpacked'
  Expand-Archive -Path $file -DestinationPath $unpacked
  $tree = Join-Path $unpacked 'llm-speed'
  if (-not (Test-Path (Join-Path $tree 'bin\llm-speed.cmd'))) { Fail "$Archive holds no llm-speed\bin\llm-speed.cmd; nothing was installed." }
  Set-Content -Path (Join-Path $tree '.archive-sha256') -Value $actual -Encoding ascii

  # The new tree is moved in beside the old one first, then they swap: an earlier install is
  # replaced only by a complete one.
  New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
  $old = Join-Path $InstallDir '.llm-speed.old'
  foreach ($leftover in @($New, $old)) { if (Test-Path $leftover) { Remove-Item -Recurse -Force $leftover } }
  Move-Item -Path $tree -Destination $New
  $current = Join-Path $InstallDir 'llm-speed'
  if (Test-Path $current) { Move-Item -Path $current -Destination $old }
  Move-Item -Path $New -Destination $current
  if (Test-Path $old) { Remove-Item -Recurse -Force $old }

  $bin = Join-Path $current 'bin'
  $version = & (Join-Path $bin 'llm-speed.cmd') --version 2>$null
  Write-Host "installed $(if ($version) { $version } else { 'llm-speed' }) into $current"
  if (($env:Path -split ';') -contains $bin) {
    Write-Host 'it is on your PATH: run llm-speed bench'
  } else {
    Write-Host 'add it to your PATH (this script changes no setting), e.g. for your user:'
    Write-Host "  [Environment]::SetEnvironmentVariable('Path', '$bin;' + [Environment]::GetEnvironmentVariable('Path', 'User'), 'User')"
  }
}
finally {
  Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Work
  if (Test-Path $New) { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $New }
}

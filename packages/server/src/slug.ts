/** URL slugs for /m/<model-slug> and /hw/<hardware-slug>: lower-case ASCII words joined by '-'. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || 'unnamed';
}

/** Text made safe for HTML content and quoted attributes: every character that could end either is an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=/]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

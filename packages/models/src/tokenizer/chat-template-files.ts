import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChatTemplates } from './chat-template';

/** Folder beside chat_template.jinja where transformers 5 saves named templates, one `<name>.jinja` each. */
export const CHAT_TEMPLATE_DIR = 'additional_chat_templates';

/**
 * The templates a folder's files hold, as transformers reads them: chat_template.jinja is the
 * `default` template and each additional_chat_templates/<name>.jinja a named one; one default alone
 * is a plain string. Named templates are only listed in local folders: a hub repo would need a file
 * listing request, so for hub ids only chat_template.jinja counts.
 */
export async function readChatTemplateFiles(
  pathOrRepoId: string,
  defaultTemplatePath: string | undefined,
): Promise<ChatTemplates | undefined> {
  const templates: Record<string, string> = {};
  if (defaultTemplatePath !== undefined) templates.default = await readFile(defaultTemplatePath, 'utf8');
  const dir = join(pathOrRepoId, CHAT_TEMPLATE_DIR);
  const isDir = await stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (isDir) {
    for (const file of (await readdir(dir)).sort()) {
      if (file.endsWith('.jinja'))
        templates[file.slice(0, -'.jinja'.length)] = await readFile(join(dir, file), 'utf8');
    }
  }
  const names = Object.keys(templates);
  if (names.length === 0) return undefined;
  return names.length === 1 && templates.default !== undefined ? templates.default : templates;
}

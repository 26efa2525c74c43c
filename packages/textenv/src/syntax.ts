import { z } from 'zod';

/** The marker strings of the tool-use protocol, as the model writes and reads them. */
export interface ToolSyntax {
  /** Opens a tool call; the tool name follows in angle brackets. TRL: `<request>`. */
  request: string;
  /** Ends a tool call; generation stops on it. TRL: `<call>`. */
  call: string;
  /** Appended after a tool's answer, handing the turn back to the model. TRL: `<response>`. */
  response: string;
  /** Ends the episode; generation stops on it. TRL: `<submit>`. */
  submit: string;
}

/** TRL's protocol: `<request><ToolName>query<call>` … `answer<response>` … `<submit>`. */
export const DEFAULT_TOOL_SYNTAX: Readonly<ToolSyntax> = Object.freeze({
  request: '<request>',
  call: '<call>',
  response: '<response>',
  submit: '<submit>',
});

const marker = z.string().min(1, 'must be a non-empty string');

/** Validates a (partial) syntax and fills the missing markers with TRL's. */
export const toolSyntaxSchema = z
  .object({
    request: marker.default(DEFAULT_TOOL_SYNTAX.request),
    call: marker.default(DEFAULT_TOOL_SYNTAX.call),
    response: marker.default(DEFAULT_TOOL_SYNTAX.response),
    submit: marker.default(DEFAULT_TOOL_SYNTAX.submit),
  })
  .strict()
  .refine((syntax) => new Set(Object.values(syntax)).size === 4, {
    message: 'the four markers (request, call, response, submit) must all differ',
  });

/** The markers in a fixed order, for scanning and stripping text. */
export function syntaxMarkers(syntax: ToolSyntax): string[] {
  return [syntax.request, syntax.call, syntax.response, syntax.submit];
}

import { describe, expect, it } from 'vitest';
import { parseFlatYaml } from '../src/options/flat-yaml';

describe('parseFlatYaml', () => {
  it('reads TRL-style flat configs, turning snake_case keys into camelCase', () => {
    const text = [
      '# SFT run',
      'model_name_or_path: runs/base  # a comment',
      'learning_rate: 2.0e-5',
      'packing: true',
      "response_template: '### Answer: it''s'",
      'dataset_text_field: "te#xt"',
      'report_to: [jsonl, tensorboard]',
      'lora_target_modules:',
      '  - c_attn',
      '  - c_fc',
      'save_total_limit: ~',
    ].join('\n');
    expect(parseFlatYaml(text, 'run.yaml')).toEqual({
      modelNameOrPath: 'runs/base',
      learningRate: 2e-5,
      packing: true,
      responseTemplate: "### Answer: it's",
      datasetTextField: 'te#xt',
      reportTo: ['jsonl', 'tensorboard'],
      loraTargetModules: ['c_attn', 'c_fc'],
      saveTotalLimit: null,
    });
  });

  it('refuses nested mappings and malformed lines with the line number', () => {
    expect(() => parseFlatYaml('a: 1\npeft:\n  r: 8\n', 'x.yaml')).toThrow(
      /x\.yaml:3: nested YAML is not supported/,
    );
    expect(() => parseFlatYaml('just words\n', 'x.yaml')).toThrow(/x\.yaml:1: expected "key: value"/);
    expect(() => parseFlatYaml('- a\n', 'x.yaml')).toThrow(/x\.yaml:1: a list item without a key/);
    expect(() => parseFlatYaml('a: "open\n', 'x.yaml')).toThrow(/x\.yaml:1: unterminated/);
  });

  it('throws TrlErrors with the invalid-config-file code', () => {
    expect(() => parseFlatYaml('just words\n', 'x.yaml')).toThrow(
      expect.objectContaining({ name: 'TrlError', code: 'invalid-config-file' }),
    );
  });
});

// The same declarations from CommonJS (lib/index.d.cts).
import tokfare = require('tokfare');

const enc: tokfare.Encoding = tokfare.getEncoding('cl100k_base');
const count: number = enc.countTokens('hello', { disallowedSpecial: [] });
const cost: tokfare.Cost = tokfare.price('gpt-4o', new tokfare.Usage({ inputTokens: 1 }));
const plan: tokfare.CapacityPlan = tokfare.capacityPlan({ megawatts: '1', hours: 1n, tokensPerSecondPerMW: { free: 1000 } });
const qwen: tokfare.Tokenizer = tokfare.Tokenizer.bundled('qwen3');
const qwenIds: Uint32Array = qwen.encode('hi', { addSpecialTokens: false });
const qwenText: string = qwen.decode(qwenIds, { skipSpecialTokens: true });
const counted: tokfare.RequestCount = tokfare.countRequest('claude-opus-4-5', { messages: [] }, { format: 'anthropic-messages' });
const band: [number, number] | null = counted.bandPermille;
export = { count, cost, plan, qwenText, band };

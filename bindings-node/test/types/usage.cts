// The same declarations from CommonJS (lib/index.d.cts).
import tokfare = require('tokfare');

const enc: tokfare.Encoding = tokfare.getEncoding('cl100k_base');
const count: number = enc.countTokens('hello', { disallowedSpecial: [] });
const cost: tokfare.Cost = tokfare.price('gpt-4o', new tokfare.Usage({ inputTokens: 1 }));
const plan: tokfare.CapacityPlan = tokfare.capacityPlan({ megawatts: '1', hours: 1n, tokensPerSecondPerMW: { free: 1000 } });
export = { count, cost, plan };

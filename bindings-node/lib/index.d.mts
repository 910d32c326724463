export * from './index.cjs';
import * as tokfare from './index.cjs';
export default tokfare;

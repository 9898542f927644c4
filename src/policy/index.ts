export { parseComparison, type Comparison, type ComparisonOperator, type Threshold } from './expressions';
export {
  DEFAULT_POLICY_FILE,
  GATE_KINDS,
  POLICY_TARGETS,
  loadPolicy,
  parsePolicy,
  ruleFor,
  type Gate,
  type Policy,
  type PolicyDiagnostic,
  type PolicyLoad,
  type PolicyParse,
  type PolicyTarget,
  type StageRule,
} from './policyFile';
export { canPromote, evaluateGate, evaluateGates, evaluateRule, type Approval, type GateContext, type GateResult, type GateStatus, type PromotionDecision } from './gates';
export { gateContextFor, holderOf, judgeMove, lastMetricValues, policyTargetFor, stageOfTarget, type ContextInputs, type MoveJudgement } from './context';
export { checkLedgerAgainstPolicy, type LedgerPolicyOptions, type PolicyProblem } from './ledgerCheck';
export { policyMoveCheck, type DriftLookup } from './moveCheck';
export { evaluateFairnessGate, fairnessDataPath, loadFairnessData, policyFairnessData, readFairnessGate, type FairnessData, type FairnessDataLookup, type FairnessGate } from './fairnessGate';

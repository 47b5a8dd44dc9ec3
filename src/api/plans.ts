/**
 * Named sizes. A claim picks a plan and may override any of its three figures.
 * The table is rendered into the README and the XRD description, so keep it the only copy.
 */
export interface Plan {
  readonly cpu: string;
  readonly memory: string;
  readonly disk: string;
  readonly maxConnections: number;
}

export const PLANS = {
  xsmall: { cpu: '500m', memory: '1Gi', disk: '5Gi', maxConnections: 50 },
  small: { cpu: '1', memory: '2Gi', disk: '20Gi', maxConnections: 100 },
  medium: { cpu: '2', memory: '4Gi', disk: '50Gi', maxConnections: 200 },
  large: { cpu: '4', memory: '8Gi', disk: '100Gi', maxConnections: 400 },
  xlarge: { cpu: '8', memory: '16Gi', disk: '250Gi', maxConnections: 800 },
} as const satisfies Record<string, Plan>;

export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as [PlanName, ...PlanName[]];
export const DEFAULT_PLAN: PlanName = 'small';

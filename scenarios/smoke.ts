// Smoke: a trickle of load with a strict budget; does the service work at all?
// Settings: BASE_URL, RATE, DURATION, TESTID, SUMMARY_DIR… (lib/settings.ts); shape: lib/profiles.ts.
import { profileScenario } from './lib/profile-scenario';

const scenario = profileScenario('smoke');
export const options = scenario.options;
export const setup = scenario.setup;
export const roll = scenario.roll;
export const handleSummary = scenario.handleSummary;

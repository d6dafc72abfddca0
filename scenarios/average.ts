// Average: a normal day's load (ramp up, hold RATE, ramp down).
// Settings: BASE_URL, RATE, DURATION, TESTID, SUMMARY_DIR… (lib/settings.ts); shape: lib/profiles.ts.
import { profileScenario } from './lib/profile-scenario';

const scenario = profileScenario('average');
export const options = scenario.options;
export const setup = scenario.setup;
export const roll = scenario.roll;
export const handleSummary = scenario.handleSummary;

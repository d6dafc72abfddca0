// Soak: a normal day's load for a long time (30 min by default): leaks and drifts.
// Settings: BASE_URL, RATE, DURATION, TESTID, SUMMARY_DIR… (lib/settings.ts); shape: lib/profiles.ts.
import { profileScenario } from './lib/profile-scenario';

const scenario = profileScenario('soak');
export const options = scenario.options;
export const setup = scenario.setup;
export const roll = scenario.roll;
export const handleSummary = scenario.handleSummary;

// Spike: a tenth of RATE, a sudden surge to RATE, back down, and time to recover.
// Settings: BASE_URL, RATE, DURATION, TESTID, SUMMARY_DIR… (lib/settings.ts); shape: lib/profiles.ts.
import { profileScenario } from './lib/profile-scenario';

const scenario = profileScenario('spike');
export const options = scenario.options;
export const setup = scenario.setup;
export const roll = scenario.roll;
export const handleSummary = scenario.handleSummary;

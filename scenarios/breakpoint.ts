// Breakpoint: ever more load (0 to RATE over DURATION) until a health threshold fails and stops the run.
// Settings: BASE_URL, RATE, DURATION, TESTID, SUMMARY_DIR… (lib/settings.ts); shape: lib/profiles.ts.
import { profileScenario } from './lib/profile-scenario';

const scenario = profileScenario('breakpoint');
export const options = scenario.options;
export const setup = scenario.setup;
export const roll = scenario.roll;
export const handleSummary = scenario.handleSummary;

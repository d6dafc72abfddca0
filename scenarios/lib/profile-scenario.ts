// What a profile scenario file exports, built from the profile's name and the environment.
import { profilePlan, type ProfileName } from './profiles';
import { readSettings } from './settings';
import { summaryOutputs, type SummaryData } from './summary';
import { requireHealthyTarget, rollDice } from './target';

export function profileScenario(name: ProfileName) {
  const settings = readSettings(__ENV);
  const { options, phase } = profilePlan(name, settings);
  const run = { scenario: name, testid: settings.testid, baseUrl: settings.baseUrl, phases: [phase] };
  return {
    options,
    setup: () => requireHealthyTarget(settings),
    roll: () => rollDice(settings),
    handleSummary: (data: SummaryData) => summaryOutputs(data, run, settings.summaryDir),
  };
}

import { registered, type RegisteredCommand } from '../internal/command.js';
import { initCommand } from './init.js';
import { importCommand } from './import.js';
import { billCommand } from './bill.js';
import { remitCommand } from './remit.js';
import { ackCommand } from './ack.js';
import { eligibilityCommand } from './eligibility.js';
import { statusCommand } from './status.js';
import { complianceReportCommand } from './report-compliance.js';
import { outcomesReportCommand } from './report-outcomes.js';
import { htmlReportCommand } from './report-html.js';
import { disclosuresReportCommand } from './report-disclosures.js';
import { validateCommand } from './validate.js';
import { packsCommand } from './packs.js';
import { serveCommand } from './serve.js';
import { exportCommand } from './export.js';
import { syncCommand } from './sync.js';
import { demoCommand } from './demo.js';

/**
 * Every `peer-fhir` command, in the order `--help` lists them (the reports under `report`). One file per command,
 * each exporting its definition: options and help, and `run(options, io)`.
 */
export const COMMANDS: readonly RegisteredCommand[] = [
  registered(initCommand),
  registered(importCommand),
  registered(billCommand),
  registered(remitCommand),
  registered(ackCommand),
  registered(eligibilityCommand),
  registered(statusCommand),
  registered(complianceReportCommand),
  registered(outcomesReportCommand),
  registered(htmlReportCommand),
  registered(disclosuresReportCommand),
  registered(validateCommand),
  registered(packsCommand),
  registered(serveCommand),
  registered(exportCommand),
  registered(syncCommand),
  registered(demoCommand),
];

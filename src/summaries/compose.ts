import type { AlertService } from '../alerts/alert-service.js';
import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import type { Logger } from '../log.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { ChannelLinks } from '../routing/channel-links.js';
import type { StatsService } from '../stats/stats-service.js';
import type { Storage } from '../store/storage.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { SummaryContent } from './summary-content.js';
import { SummaryScheduler } from './summary-scheduler.js';
import { SummarySchedules } from './summary-schedules.js';
import { SummaryService } from './summary-service.js';

/** Daily summaries: the command side and the scheduler that sends them. */
export interface Summaries {
  readonly service: SummaryService;
  readonly scheduler: SummaryScheduler;
}

export function createSummaries(deps: {
  storage: Storage;
  tenants: TenantRegistry;
  links: ChannelLinks;
  alerts: AlertService;
  stats: StatsService;
  soc: SocNotifier;
  conversations: ConversationRegistry;
  messenger: Messenger;
  clock: Clock;
  logger: Logger;
}): Summaries {
  const schedules = new SummarySchedules(deps.storage);
  const content = new SummaryContent({ tenants: deps.tenants, links: deps.links, alerts: deps.alerts, stats: deps.stats, clock: deps.clock });
  return {
    service: new SummaryService({ schedules, links: deps.links, soc: deps.soc, tenants: deps.tenants, clock: deps.clock, logger: deps.logger }),
    scheduler: new SummaryScheduler({ storage: deps.storage, schedules, content, conversations: deps.conversations, messenger: deps.messenger, clock: deps.clock, logger: deps.logger }),
  };
}

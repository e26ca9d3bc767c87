/** The mailbox simulator's addresses (SES answers each as its name says, locally as on AWS), as three customers with a birthday on 10 April. */
import { upsert } from './run-simulation';

export const bounce = 'bounce@simulator.amazonses.com';
export const complaint = 'complaint@simulator.amazonses.com';
export const success = 'success@simulator.amazonses.com';

export const customers = (time: string) => [
  upsert(time, { customerId: 'bounces', email: bounce, birthday: '--04-10' }),
  upsert(time, { customerId: 'complains', email: complaint, birthday: '--04-10' }),
  upsert(time, { customerId: 'reads', email: success, birthday: '--04-10' }),
];

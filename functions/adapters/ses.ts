/** Sending through SES v2: one simple message with HTML and text parts, our headers, the configuration set. */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../campaigns/ports';

/** SES tag values allow only letters, digits, `_`, `-` and `.`. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.-]/g, '_');

export const sesMailer = (client: SESv2Client, from: { name: string; address: string }, configurationSetName: string): Mailer => ({
  async send(email) {
    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: `"${from.name.replace(/"/g, "'")}" <${from.address}>`,
        Destination: { ToAddresses: [email.to] },
        ConfigurationSetName: configurationSetName,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
            Headers: Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value })),
          },
        },
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
      }),
    );
    if (!MessageId) throw new Error('SES accepted the message without a MessageId');
    return { messageId: MessageId };
  },
});

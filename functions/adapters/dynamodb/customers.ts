/** Customer profiles and their campaign due slots. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerStore } from '../../campaigns/ports';
import type { CustomerProfile } from '../../customers/profile';
import { campaignSchema, type Campaign } from '../../events/retention';
import type { WinbackDue } from '../../campaigns/winback/rules';
import type { SurveyDue } from '../../campaigns/nps/rules';
import { indexUpTo, partitionItems, shardOf, tableSchema, type DueIndexName } from './table';

const key = (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' });

/** Shop-owned fields: an upsert replaces them all; engine-owned fields (birthdayLastYear) stay. */
const shopFields = ['email', 'firstName', 'lastName', 'locale', 'timeZone', 'birthday', 'marketingConsent', 'tier'] as const;
const personalFields = ['email', 'firstName', 'lastName', 'birthday'] as const;
const birthdayDueFields = ['birthdayOccasion', 'birthdayDueAt', 'birthdayDueShard'] as const;
const winbackDueFields = ['winbackStep', 'winbackDueAt', 'winbackDueShard'] as const;
const surveyDueFields = ['npsOrderId', 'npsDueAt', 'npsDueShard'] as const;
/** The loyalty programme's pending emails and review (docs/design.md §10): nothing stays pending for an erased customer. */
const loyaltyDueFields = [
  'tierOccasion', 'tierDueAt', 'tierDueShard', 'pointsOccasion', 'pointsExpiring', 'pointsDueAt', 'pointsDueShard',
  'referralStep', 'referralRewardFor', 'referralDueAt', 'referralDueShard', 'loyaltyReviewAt', 'loyaltyReviewShard',
  // No longer counted among a tier's customers.
  'loyaltyTier',
] as const;

/** Each due time among `values` with its index shard (removed with it), so no write can strand one without the other. */
const withDueShards = (customerId: string, values: Record<string, unknown>) => {
  const shards: Record<string, unknown> = {};
  for (const { partitionKey, sortKey } of Object.values(tableSchema.indexes)) {
    if (sortKey in values && partitionKey.endsWith('Shard')) shards[partitionKey] = dueShard(customerId, values[sortKey] as string | undefined);
  }
  return { ...values, ...shards };
};

/** The attributes of a pending survey (all undefined, so removed, when none is pending). */
const surveyDueValues = (customerId: string, due: SurveyDue | undefined) => {
  const dueAt = due?.dueAt.toISOString();
  return { npsOrderId: due?.orderId, npsDueAt: dueAt, npsDueShard: dueShard(customerId, dueAt) };
};

/** A survey is only set on a customer who is there and not erased. */
const surveyCondition = 'attribute_exists(pk) AND attribute_not_exists(deletedAt)';

/** The attributes of a pending winback step (all undefined, so removed, when none is pending). */
const winbackDueValues = (customerId: string, due: WinbackDue | undefined) => {
  const dueAt = due?.dueAt.toISOString();
  return { winbackStep: due?.step, winbackDueAt: dueAt, winbackDueShard: dueShard(customerId, dueAt) };
};

/**
 * `SET a = :a ... REMOVE b ...` from values (undefined ones are removed), with
 * an optional condition that may refer to the same `:name` placeholders.
 */
const updateOf = (values: Record<string, unknown>, condition?: string, conditionValues: Record<string, unknown> = {}) => {
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const attributeValues: Record<string, unknown> = { ...conditionValues };
  for (const [name, value] of Object.entries(values)) {
    names[`#${name}`] = name;
    if (value === undefined) remove.push(`#${name}`);
    else {
      set.push(`#${name} = :${name}`);
      attributeValues[`:${name}`] = value;
    }
  }
  return {
    UpdateExpression: [set.length && `SET ${set.join(', ')}`, remove.length && `REMOVE ${remove.join(', ')}`]
      .filter(Boolean)
      .join(' '),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: Object.keys(attributeValues).length ? attributeValues : undefined,
  };
};

/** The lapse a planned winback step belongs to; the sequence's progress outlives a pause (no consent for a while): set, never removed here. */
const winbackLapseValues = (profile: Pick<CustomerProfile, 'winbackLapse' | 'winbackStepsSent'>) =>
  profile.winbackLapse !== undefined ? { winbackLapse: profile.winbackLapse, winbackStepsSent: profile.winbackStepsSent ?? 0 } : {};

/**
 * The order statistics are still those of `version` (the profile's `historyVersion` as read): the winback schedule
 * follows them, so a write that sets it from a stale read fails, and is decided again (docs/design.md §3).
 */
const statsStill = (version: number | undefined) =>
  version === undefined ? { condition: 'attribute_not_exists(historyVersion)', values: {} } : { condition: 'historyVersion = :statsVersion', values: { ':statsVersion': version } };

/** The profile is still the one a plan was made from: no update or consent change since (none yet, if none then). */
const profileStill = (read: Pick<CustomerProfile, 'updatedAt' | 'consentChangedAt'> | undefined) => ({
  condition: [
    read?.updatedAt === undefined ? 'attribute_not_exists(updatedAt)' : 'updatedAt = :readUpdatedAt',
    read?.consentChangedAt === undefined ? 'attribute_not_exists(consentChangedAt)' : 'consentChangedAt = :readConsentChangedAt',
  ].join(' AND '),
  values: { ...(read?.updatedAt !== undefined && { ':readUpdatedAt': read.updatedAt }), ...(read?.consentChangedAt !== undefined && { ':readConsentChangedAt': read.consentChangedAt }) },
});

const ignoreConditionFailure = async (write: Promise<unknown>): Promise<boolean> => {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** The customer's shard of a due-time index, while something is due (removed with the due time). */
const dueShard = (customerId: string, dueAt: string | undefined) => (dueAt === undefined ? undefined : shardOf(customerId));

/** The pending birthday email and winback step, with their index shards. */
const dueSlotValues = (profile: Pick<CustomerProfile, 'customerId' | 'birthdayOccasion' | 'birthdayDueAt' | 'winbackStep' | 'winbackDueAt'>) => ({
  birthdayOccasion: profile.birthdayOccasion,
  birthdayDueAt: profile.birthdayDueAt,
  birthdayDueShard: dueShard(profile.customerId, profile.birthdayDueAt),
  winbackStep: profile.winbackStep,
  winbackDueAt: profile.winbackDueAt,
  winbackDueShard: dueShard(profile.customerId, profile.winbackDueAt),
});

const customerIdOf = (pk: unknown) => String(pk).slice('CUSTOMER#'.length);

export const dynamoCustomerStore = (client: DynamoDBDocumentClient, tableName: string): CustomerStore => {
  /**
   * What erasure removes beside the profile's personal data (docs/design.md §11):
   * survey comments (the customer's own words; the scores, no personal data,
   * stay), the story (it holds the subjects of their emails) and the consent
   * ledger. Orders stay for the KPIs, the suppression list (a hash) for suppression.
   */
  const eraseRecords = async (customerId: string) => {
    for await (const { pk, sk } of partitionItems(client, tableName, key(customerId).pk, { projection: 'pk, sk' })) {
      if (/^(STORY|CONSENT)#/.test(String(sk))) await client.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk } }));
      else if (String(sk).startsWith('NPS#')) {
        await client.send(
          new UpdateCommand({ TableName: tableName, Key: { pk, sk }, UpdateExpression: 'REMOVE #comment', ExpressionAttributeNames: { '#comment': 'comment' } }),
        );
      }
    }
  };

  const setSurveyDue: CustomerStore['setSurveyDue'] = (customerId, due, options = {}) => {
    const values: Record<string, unknown> = {
      ...surveyDueValues(customerId, due),
      ...(options.sentAt && { npsLastSurveyAt: options.sentAt.toISOString() }),
    };
    const conditions = [surveyCondition];
    if (options.onlyFor !== undefined) {
      conditions.push(options.orNone ? '(npsOrderId = :onlyFor OR attribute_not_exists(npsOrderId))' : 'npsOrderId = :onlyFor');
    }
    return ignoreConditionFailure(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(customerId),
          ...updateOf(values, conditions.join(' AND '), options.onlyFor !== undefined ? { ':onlyFor': options.onlyFor } : {}),
        }),
      ),
    );
  };

  return {
    async get(customerId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(customerId), ConsistentRead: true }));
      return Item as CustomerProfile | undefined;
    },

    upsert(profile, statsVersion) {
      const values: Record<string, unknown> = {
        customerId: profile.customerId,
        updatedAt: profile.updatedAt,
        deletedAt: undefined,
        ...dueSlotValues(profile),
        ...winbackLapseValues(profile),
      };
      for (const field of shopFields) values[field] = profile[field];
      // Consent left out is consent unchanged (a platform sends it on its own).
      if (profile.marketingConsent === undefined) delete values.marketingConsent;
      else values.consentChangedAt = profile.consentChangedAt ?? profile.updatedAt;
      const stats = statsStill(statsVersion);
      return ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(profile.customerId),
            ...updateOf(values, `(attribute_not_exists(updatedAt) OR updatedAt <= :updatedAt) AND ${stats.condition}`, stats.values),
          }),
        ),
      );
    },

    async erase(customerId, at, hash) {
      const values: Record<string, unknown> = { customerId, updatedAt: at, deletedAt: at, marketingConsent: false, ...(hash && { addressHash: hash }) };
      for (const field of [...personalFields, ...birthdayDueFields, ...winbackDueFields, ...surveyDueFields, ...loyaltyDueFields]) values[field] = undefined;
      const erased = await ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(customerId),
            ...updateOf(values, 'attribute_not_exists(updatedAt) OR updatedAt <= :updatedAt'),
          }),
        ),
      );
      if (erased) await eraseRecords(customerId);
      return erased;
    },

    async *due(index: DueIndexName, at) {
      for await (const items of indexUpTo(client, tableName, index, at.toISOString())) yield items.map((item) => customerIdOf(item.pk));
    },

    async setBirthdayDue(customerId, due, lastCelebratedYear) {
      const dueAt = due?.dueAt.toISOString();
      const values: Record<string, unknown> = {
        birthdayOccasion: due?.occasion,
        birthdayDueAt: dueAt,
        birthdayDueShard: dueShard(customerId, dueAt),
        ...(lastCelebratedYear !== undefined && { birthdayLastYear: lastCelebratedYear }),
      };
      // An erased customer gets nothing pending again.
      await ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(customerId),
            ...updateOf(values, 'attribute_exists(pk) AND attribute_not_exists(deletedAt)'),
          }),
        ),
      );
    },

    async setOrderStats(customerId, stats, version, winback, { converted, survey } = {}, plannedFrom) {
      const values: Record<string, unknown> = {
        customerId,
        ...withDueShards(customerId, stats as Record<string, unknown>),
        historyVersion: version,
        ...winbackDueValues(customerId, winback?.due),
        ...(winback?.due && { winbackLapse: winback.due.lapse, winbackStepsSent: winback.stepsSent }),
        ...(converted && { winbackConvertedKey: converted }),
      };
      // Two orders (or an order and a cancellation) at once: the statistics of the later history win, with plans made
      // from the profile as it is.
      const still = profileStill(plannedFrom);
      const longer = `(attribute_not_exists(historyVersion) OR historyVersion < :historyVersion) AND ${still.condition}`;
      const write = (values: Record<string, unknown>, condition: string) =>
        ignoreConditionFailure(client.send(new UpdateCommand({ TableName: tableName, Key: key(customerId), ...updateOf(values, condition, still.values) })));
      if (!survey) return write(values, longer);
      // Both in one write when both conditions hold; otherwise each on its own, as two writes would have gone.
      if (await write({ ...values, ...surveyDueValues(customerId, survey) }, `(${longer}) AND ${surveyCondition}`)) return true;
      const stored = await write(values, longer);
      await setSurveyDue(customerId, survey);
      return stored;
    },

    setWinbackDue(customerId, lapse, due, settled) {
      const values: Record<string, unknown> = {
        ...winbackDueValues(customerId, due),
        ...(settled && { winbackStepsSent: settled.stepsSent }),
        ...(settled?.sent && {
          winbackLastSentAt: settled.sent.at.toISOString(),
          winbackLastSentStep: settled.sent.step,
          winbackLastSendKey: settled.sent.sendKey,
          // Cleared (undefined) when this email was in no A/B test.
          winbackLastExperiment: settled.sent.assignment?.experiment,
          winbackLastVariant: settled.sent.assignment?.variant,
          winbackLastHeldOut: settled.sent.heldOut,
        }),
      };
      return ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(customerId),
            ...updateOf(values, 'winbackLapse = :lapse AND lastOrderAt = :lapse AND attribute_not_exists(deletedAt)', {
              ':lapse': lapse,
            }),
          }),
        ),
      );
    },

    replanWinback(customerId, stale, lastOrderAt, due) {
      const values = { ...winbackDueValues(customerId, due), winbackLapse: lastOrderAt, winbackStepsSent: 0 };
      const staleLapse = stale === undefined ? 'attribute_not_exists(winbackLapse)' : 'winbackLapse = :stale';
      return ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(customerId),
            ...updateOf(values, `${staleLapse} AND lastOrderAt = :last AND attribute_not_exists(deletedAt)`, {
              ...(stale !== undefined && { ':stale': stale }),
              ':last': lastOrderAt,
            }),
          }),
        ),
      );
    },

    setSurveyDue,

    async countByTier(tiers) {
      const counts: Record<string, number> = {};
      for (const tier of tiers) {
        counts[tier] = 0;
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'loyaltyTiers',
              KeyConditionExpression: 'loyaltyTier = :tier',
              ExpressionAttributeValues: { ':tier': tier },
              Select: 'COUNT',
              ExclusiveStartKey,
            }),
          );
          counts[tier] += page.Count ?? 0;
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
      }
      return counts;
    },

    update(customerId, values, onlyIf = {}) {
      const conditions = ['attribute_exists(pk)', 'attribute_not_exists(deletedAt)'];
      const names: Record<string, string> = {};
      const conditionValues: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(onlyIf)) {
        names[`#${field}`] = field;
        if (value === undefined) conditions.push(`attribute_not_exists(#${field})`);
        else {
          conditions.push(`#${field} = :if_${field}`);
          conditionValues[`:if_${field}`] = value;
        }
      }
      const update = updateOf(withDueShards(customerId, values), conditions.join(' AND '), conditionValues);
      return ignoreConditionFailure(
        client.send(
          new UpdateCommand({ TableName: tableName, Key: key(customerId), ...update, ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...names } }),
        ),
      );
    },

    setConsent(profile, statsVersion) {
      const values: Record<string, unknown> = {
        customerId: profile.customerId,
        marketingConsent: profile.marketingConsent,
        consentChangedAt: profile.consentChangedAt,
        ...dueSlotValues(profile),
        ...winbackLapseValues(profile),
        ...(profile.email !== undefined && { email: profile.email }),
      };
      const stats = statsStill(statsVersion);
      return ignoreConditionFailure(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(profile.customerId),
            ...updateOf(
              values,
              `(attribute_not_exists(consentChangedAt) OR consentChangedAt <= :consentChangedAt) AND attribute_not_exists(deletedAt) AND ${stats.condition}`,
              stats.values,
            ),
          }),
        ),
      );
    },

    async setOptedOut(customerId, campaigns) {
      // Stored in one canonical order, without repeats, so equal choices are equal lists.
      const optedOut = campaignSchema.options.filter((campaign) => campaigns.includes(campaign));
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(customerId),
            ...updateOf({ optedOut: optedOut.length ? optedOut : undefined }, 'attribute_exists(pk) AND attribute_not_exists(deletedAt)'),
            ReturnValues: 'UPDATED_OLD',
          }),
        );
        return { previous: (Attributes?.optedOut as Campaign[] | undefined) ?? [] };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },
  };
};

export { ignoreConditionFailure, updateOf };

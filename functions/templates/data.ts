/**
 * The data each campaign's templates are rendered with (docs/design.md §5 "templates").
 * Liquid runs with strict variables, so every field here must be present:
 * use "" for an unknown first name rather than leaving it out.
 *
 * These are type aliases rather than interfaces on purpose: a type alias is
 * assignable to `Record<string, unknown>` (the renderer's `data` parameter),
 * an interface is not, because interfaces carry no implicit index signature.
 */

/** Shared by every campaign: the sender, shown in the header and footer. */
export type ShopTemplateData = {
  name: string;
  /** Postal address, one line; required in marketing email footers. */
  address: string;
  siteUrl: string;
};

/** Links every marketing email carries; both https. */
export type LinksTemplateData = {
  shop: string;
  unsubscribe: string;
};

/** templates/birthday/*.mjml */
export type BirthdayTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  offer: {
    code: string;
    percentOff: number;
    /** Already formatted in the email's locale, e.g. "6 December 2026". */
    expiresOn: string;
  };
  links: LinksTemplateData;
};

/**
 * templates/winback-1/*.mjml: the first winback email, sent when a customer
 * is at risk. A reminder only: it carries no offer, so under strict variables
 * the template cannot refer to one.
 */
export type WinbackReminderTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  links: LinksTemplateData;
};

/**
 * templates/winback-2/*.mjml (30 days after the reminder, 10 % by default)
 * and templates/winback-3/*.mjml (60 days after, 20 % by default, last chance).
 */
export type WinbackOfferTemplateData = WinbackReminderTemplateData & {
  offer: {
    code: string;
    percentOff: number;
    /** Already formatted in the email's locale, e.g. "6 December 2026". */
    expiresOn: string;
  };
};

/**
 * templates/nps/*.mjml: the NPS survey, sent about one order (docs/design.md §5 "nps").
 * `survey.scores` holds the eleven signed score links, 0 to 10 in order; the
 * templates show each as a link whose text is the score alone.
 */
export type NpsSurveyTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  links: LinksTemplateData;
  survey: {
    /** The shop's order id, shown as a reference. */
    orderId: string;
    scores: { score: number; url: string }[];
  };
};

/**
 * Query parameters that only track the reader and never identify an article.
 * Kept as data so that the list can be reviewed and extended without touching logic.
 *
 * Sources (taken by reading, not copied wholesale):
 * - ClearURLs rules, "globalRules" provider (utm_*, ga_*, fbclid, gclid, yclid, mc_eid, …)
 * - Firefox's query-stripping list (privacy.query_stripping.strip_list): mc_eid, oly_anon_id,
 *   oly_enc_id, __s, vero_id, _hsenc, mkt_tok, fbclid, gclid, dclid, msclkid, twclid, igshid, …
 * - AdGuard URL Tracking filter (filter 17): $removeparam rules for ref_src, cmpid, ito, …
 *
 * Parameters that may identify an article (`id`, `p`, `story`, `article`) are deliberately absent.
 */
export const TRACKING_PARAM_PREFIXES: readonly string[] = [
  'utm_',
  'ga_',
  'hsa_',
  'pk_',
  'mtm_',
  'matomo_',
  'piwik_',
  'itm_',
  'stm_',
  'vero_',
  '__hs',
  'oly_',
];

export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  // Ad click identifiers
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid',
  'ttclid', 'li_fat_id', 'igshid', 'igsh', 'epik', 'rdt_cid', 'scid', 's_cid', 'srsltid',
  // Mail and marketing platforms
  'mc_cid', 'mc_eid', '_hsenc', '_hsmi', 'mkt_tok', 'vero_id', 'vero_conv', 'ml_subscriber',
  'ml_subscriber_hash', 'oly_anon_id', 'oly_enc_id', 'rb_clickid', 'wickedid', '__s', '_openstat',
  'ss_email_id', 'bsft_clkid', 'bsft_uid', 'trk_contact', 'trk_msg', 'trk_module', 'trk_sid',
  // Social and referral tags that outlets add to shared links
  'ref_src', 'ref_url', 'social', 'smid', 'smtyp', 'sr_share', 'fb_ref',
  'fb_source', 'fb_action_ids', 'fb_action_types', 'cmpid', 'ito', 'icid', 'ncid',
  'ocid', 'mbid', 'sc_cid', 'campaign_id', 'xtor', 'at_medium', 'at_campaign',
  'at_custom1', 'at_custom2', 'at_custom3', 'at_custom4', 'guccounter', 'guce_referrer',
  'guce_referrer_sig', 'ns_mchannel', 'ns_source', 'ns_campaign', 'ns_linkname', 'ns_fee',
  'cmpgn', 'spm', 'taid', 'tbref', 'soc_src', 'soc_trk', 'src',
  // Analytics cookies carried in URLs
  '_ga', '_gl', '_ke', '_kx', 'elqTrackId', 'elqTrack', 'assetType', 'assetId', 'recipientId',
  'campaignId', 'siteId', 'hootPostID', 'sfmc_id', 'sfmc_sub', 'sfmc_activityid',
  // AMP leftovers added by AMP viewers
  'amp_js_v', 'amp_gsa', 'amp_r', 'amp_tf', 'usqp', 'aoh', 'ampshare',
]);

/** Parameter/value pairs that only say "this was the AMP rendering". */
export const AMP_MARKER_PARAMS: ReadonlyArray<readonly [string, string]> = [
  ['outputType', 'amp'],
  ['amp', ''],
  ['amp', '1'],
  ['amp', 'true'],
];

export function isTrackingParam(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (TRACKING_PARAMS.has(name) || TRACKING_PARAMS.has(lower)) return true;
  if (TRACKING_PARAM_PREFIXES.some((prefix) => lower.startsWith(prefix))) return true;
  return AMP_MARKER_PARAMS.some(([n, v]) => n === name && v === value);
}

/**
 * Query parameters that only track the reader and never identify an article. They are removed
 * from both sides before matching (issue 3). Kept as data, grouped by where each name comes from,
 * so that the list can be reviewed against its sources and extended without touching logic.
 *
 * Sources, read by hand (names are taken, rule syntax is not):
 * - ClearURLs rules, provider "globalRules" (https://github.com/ClearURLs/Rules, data.min.json),
 *   plus the few site providers that concern news outlets (techcrunch, cnet).
 * - Firefox's query-stripping list (the `privacy.query_stripping.strip_list` pref and the
 *   "query-stripping" remote-settings collection it is fed from).
 * - AdGuard URL Tracking filter, general section
 *   (https://github.com/AdguardTeam/AdguardFilters, TrackParamFilter/sections/general_url.txt).
 *
 * Parameters that may identify an article (`id`, `p`, `story`, `article`, `page`, `s`, …) are
 * deliberately absent, and so are names the lists strip only on one site when the same name
 * identifies content elsewhere (Amazon's `s`, Google's `source`, Bing's `form`). All names are
 * compared lower-cased: the lists spell the same parameter in several cases (`hsCtaTracking`).
 */

/** A parameter is tracking when its lower-cased name starts with one of these. */
export const TRACKING_PARAM_PREFIXES: readonly string[] = [
  // ClearURLs globalRules: utm(_…), ga_…, otm_…, hmb_…, vn_…, itm_…
  'utm_', 'ga_', 'otm_', 'hmb_', 'vn_', 'itm_',
  // AdGuard general: HubSpot ads (hsa_…), Matomo/Piwik (mtm_, pk_), Blueshift (bsft_), adjust.com,
  // DPG Media, Segmentify, Coremetrics (cm_mmc…)
  'hsa_', 'mtm_', 'pk_', 'bsft_', 'adjust_', 'dpg_', '_sgm_', 'cm_mmc',
  // Firefox strip list: Omeda (oft_…), Olytics (oly_…)
  'oft_', 'oly_',
  // Older Matomo and Piwik spellings, and Vero
  'matomo_', 'piwik_', 'vero_',
];

/** Exact names, lower-cased. */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  // ClearURLs globalRules
  'utm', 'yclid', '_openstat', 'fb_action_types', 'fb_action_ids', 'fb_source', 'fb_ref', 'fbclid',
  'action_object_map', 'action_type_map', 'action_ref_map', 'gs_l', 'mkt_tok', 'gclid', 'cmpid',
  'os_ehash', '_ga', '_gl', '__twitter_impression', 'wt_mc', 'wt_zmc', 'wtmc', 'wtzmc', 'wtrid', 'mc',
  'dclid', 'echobox', 'spm', 'tracking_source', 'ceneo_spo', '__hsfp', '__hssc', '__hstc', '_hsenc',
  '__s', 'hsctatracking', 'mc_eid', 'mc_cid', 'mc_tc', 'ml_subscriber', 'ml_subscriber_hash',
  'msclkid', 'rb_clickid', 's_cid', 'wickedid', 'twclid',
  // ClearURLs globalRules "referralMarketing" (stripped unless the user allows referral marketing)
  'ref', 'ref_', 'referrer',
  // ClearURLs techcrunch and cnet providers: the same tags appear on links to other outlets
  'ncid', 'sr_share', 'guccounter', 'guce_referrer', 'guce_referrer_sig', 'ftag',
  // Firefox query-stripping list
  '_bhlid', '_branch_match_id', '_branch_referrer', '_kx', 'at_recipient_id', 'at_recipient_list',
  'bbeml', 'et_rid', 'fb_comment_id', 'gbraid', 'igshid', 'irclickid', 'mtm_cid', 'pk_cid',
  'sc_customer', 'sc_eh', 'sc_uid', 'sms_click', 'sms_source', 'sms_uph', 'srsltid', 'ss_email_id',
  'syclid', 'ttclid', 'unicorn_click_id', 'vgo_ee', 'wbraid', 'ymclid', 'ysclid',
  // AdGuard URL Tracking filter, general section
  'user_email_address', 'cm_me', 'cm_cr', 'sscid', 'rtkcid', 'cuid', '__io_lv', '_io_session_id',
  'ir_campaignid', 'ir_adid', 'ir_partnerid', 'tduid', 'gci', 'erid', 'cx_click', 'cx_recsorder',
  'cx_recswidget', 'mindbox-message-key', 'mindbox-click-id', 'awc', 'aiad_clid', 'maf', '_clde', '_cldee', 'oprtrack', 'xtor', 'gclsrc',
  'usqp', 'admitad_uid', 'gps_adid', 'external_click_id', 'vc_lpp', 'ebisadid', 'irgwc', 'adfrom',
  'nx_source', '_zucks_suid',
  // Share tags news outlets add to their own links (NYT smid/smtyp, Guardian CMP, MSN ocid,
  // AT Internet at_*, comScore ns_*, Instagram igsh, LinkedIn li_fat_id, Reddit rdt_cid, …)
  'smid', 'smtyp', 'cmp', 'ocid', 'icid', 'ito', 'at_medium', 'at_campaign', 'at_custom1',
  'at_custom2', 'at_custom3', 'at_custom4', 'ns_mchannel', 'ns_source', 'ns_campaign', 'ns_linkname',
  'ns_fee', 'igsh', 'li_fat_id', 'rdt_cid', 'epik', 'sccid', 'ref_src', 'ref_url', 'sc_cid',
  's_kwcid', 'mbid', 'cmpgn', 'taid', 'tbref', 'soc_src', 'soc_trk', '_hsmi', 'vero_id', 'vero_conv',
  'elqtrackid', 'elqtrack', 'hootpostid', 'sfmc_id', 'sfmc_sub', 'sfmc_activityid', 'trk_contact',
  'trk_msg', 'trk_module', 'trk_sid', 'wickedsource', 'dicbo', 'tblci', 'obclid',
  // AMP leftovers that AMP viewers and caches add (AdGuard lists usqp; the rest are AMP runtime
  // parameters: https://github.com/ampproject/amphtml, "amp-viewer" and "amp-analytics" docs)
  'amp_js_v', 'amp_gsa', 'amp_r', 'amp_tf', 'amp_ct', 'aoh', 'ampshare', '__amp_source_origin',
]);

/**
 * Parameter/value pairs that only say "this was the AMP rendering": removed as leftovers, while
 * the same names with other values are kept (`outputType=json` may be a different document).
 */
export const AMP_MARKER_PARAMS: ReadonlyArray<readonly [string, string]> = [
  ['outputtype', 'amp'],
  ['amp', ''],
  ['amp', '1'],
  ['amp', 'true'],
];

/** TRACKING_PARAM_PREFIXES by the code of their first character, so a name is compared with a few, not all. */
const PREFIXES_BY_FIRST_CODE: ReadonlyArray<readonly string[] | undefined> = TRACKING_PARAM_PREFIXES.reduce<string[][]>((byCode, prefix) => {
  (byCode[prefix.charCodeAt(0)] ??= []).push(prefix);
  return byCode;
}, []);

/** Longest name of TRACKING_PARAMS: a longer name is none of them. */
const LONGEST_TRACKING_PARAM = Math.max(...[...TRACKING_PARAMS].map((name) => name.length));

/** TRACKING_PARAMS by length and first character (at length × 128 + code), for `isTrackingParamAt`. */
const PARAMS_BY_SHAPE: ReadonlyArray<readonly string[] | undefined> = [...TRACKING_PARAMS].reduce<string[][]>((byShape, name) => {
  (byShape[name.length * 128 + name.charCodeAt(0)] ??= []).push(name);
  return byShape;
}, []);

/** Whether `text` holds `lower` (lower-case ASCII) at `at`, in any letter case. */
function holdsAt(text: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const code = text.charCodeAt(at + i);
    if ((code >= 0x41 && code <= 0x5a ? code | 0x20 : code) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether a query parameter only tracks the reader (or marks an AMP rendering) and is dropped. */
export function isTrackingParam(name: string, value: string): boolean {
  // Plain loops and no value lower-casing unless a marker name matches: this runs for every
  // parameter of every lookup (issue 4, lookup p99), where closures and strings are GC pressure.
  const lower = name.toLowerCase();
  if (TRACKING_PARAMS.has(lower)) return true;
  const first = lower.charCodeAt(0);
  const prefixes = first < 0x80 ? PREFIXES_BY_FIRST_CODE[first] : undefined;
  if (prefixes) for (const prefix of prefixes) if (lower.startsWith(prefix)) return true;
  let lowerValue: string | null = null;
  for (const [markerName, markerValue] of AMP_MARKER_PARAMS) {
    if (markerName !== lower) continue;
    lowerValue ??= value.toLowerCase();
    if (markerValue === lowerValue) return true;
  }
  return false;
}

/**
 * Whether the name `text[nameStart, nameEnd)`, written in printable ASCII without escapes or `+`
 * (as written is as decoded), tracks the reader whatever its value (TRACKING_PARAMS and
 * TRACKING_PARAM_PREFIXES): the query scan's common case, tested without making a string (issue 4,
 * lookup p99; most parameters of a visited address are tracking ones, dropped at once, and their
 * values are then not even read).
 */
export function isTrackingNameAt(text: string, nameStart: number, nameEnd: number): boolean {
  const length = nameEnd - nameStart;
  if (length === 0) return false;
  const code = text.charCodeAt(nameStart);
  const first = code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
  if (length <= LONGEST_TRACKING_PARAM) {
    const names = PARAMS_BY_SHAPE[length * 128 + first];
    if (names) for (const name of names) if (holdsAt(text, nameStart, name)) return true;
  }
  const prefixes = PREFIXES_BY_FIRST_CODE[first];
  if (prefixes) for (const prefix of prefixes) if (prefix.length <= length && holdsAt(text, nameStart, prefix)) return true;
  return false;
}

/**
 * Whether the parameter `text[nameStart, nameEnd)` = `text[valueStart, valueEnd)` is one of
 * AMP_MARKER_PARAMS, for a parameter written as it decodes (see `isTrackingNameAt`): with it,
 * `isTrackingParam` of a parameter read where it stands.
 */
export function isAmpMarkerAt(text: string, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): boolean {
  const length = nameEnd - nameStart;
  for (const [markerName, markerValue] of AMP_MARKER_PARAMS) {
    if (markerName.length === length && markerValue.length === valueEnd - valueStart && holdsAt(text, nameStart, markerName) && holdsAt(text, valueStart, markerValue)) return true;
  }
  return false;
}

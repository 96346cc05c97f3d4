/** Why a list update failed: a kind the settings page explains in the reader's language, and the technical detail. */
export type ListErrorKind = 'http' | 'network' | 'timeout' | 'tooLarge' | 'badList' | 'badShard' | 'truncated' | 'hashMismatch' | 'storage';

export interface ListError {
  kind: ListErrorKind;
  detail: string;
}

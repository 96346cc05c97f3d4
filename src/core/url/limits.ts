/** Longer addresses are not articles; browsers and stores cap them near this too. */
export const MAX_URL_LENGTH = 2048;

import type { Coverage, CoverageArticle } from '../../src/core/index/coverage-index';

export const NOW = Date.parse('2020-05-22T12:00:00Z');

export const cnet: CoverageArticle = {
  url: 'https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/',
  title: 'Microsoft builds massive supercomputer for smarter AI',
  excerpt: 'The Azure machine has 285,000 processor cores.',
  outlet: 'CNET',
  outletDomain: 'cnet.com',
  publishedAt: Date.parse('2020-05-19T21:00:00Z'),
};
export const forbes: CoverageArticle = {
  url: 'https://www.forbes.com/sites/moorinsights/2020/05/20/microsoft-builds-massive-supercomputer-for-openai/',
  title: 'Microsoft Builds Massive Supercomputer For OpenAI',
  excerpt: '',
  outlet: 'Forbes',
  outletDomain: 'forbes.com',
  publishedAt: Date.parse('2020-05-20T13:59:00Z'),
};
export const dck: CoverageArticle = {
  url: 'https://www.datacenterknowledge.com/microsoft/microsoft-says-it-s-built-top-five-supercomputer-cloud-ai',
  title: 'Microsoft Says It’s Built a Top-Five Supercomputer in the Cloud for AI',
  excerpt: 'Future machine learning models will be enormous.',
  outlet: 'Data Center Knowledge',
  outletDomain: 'datacenterknowledge.com',
  publishedAt: Date.parse('2020-05-21T16:50:00Z'),
};

/** What a reader on the Data Center Knowledge article gets. */
export const coverageOnDck: Coverage = {
  article: dck,
  otherOutlets: [cnet, forbes],
  sameOutlet: [],
  otherOutletCount: 2,
  firstReportUrl: cnet.url,
};

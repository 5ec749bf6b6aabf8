/**
 * The files a report can be written as. Apart from the rest of the report
 * module so that the CLI can list them without loading Vega.
 */
export const REPORT_FORMATS = ['html', 'svg', 'png'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The environment variable naming the test run's temporary directory (see global-setup.ts). */
export const TEST_TMP_ENV = 'BUSHU_TEST_TMP';

// The dashboard's words in English and Simplified Chinese (the people who use WeRun and WeSure
// read Chinese). `{name}` marks a value filled in by the page, already formatted for the locale.
export const MESSAGES = {
  en: {
    title: 'bushu · steps',
    user: 'User',
    today: 'Today',
    days30: 'Last 30 days',
    tapDay: 'Tap a day, even one without steps, to see its hours.',
    hoursH: 'Hours',
    ledgerH: 'Hongbao ledger',
    boardH: 'Friends today',
    devicesH: 'Devices',
    date: 'Date', steps: 'Steps', amount: 'Amount', payout: 'Payout', rank: '#', name: 'Name', device: 'Device', source: 'Source', lastSync: 'Last sync',
    nSteps: '{n} steps',
    ofGoal: 'of {n}',
    toGo: '{n} steps to go ({p}).',
    'state.paid': 'Hongbao paid',
    'state.pending': 'Hongbao awarded, not paid yet',
    'state.open': 'Goal reached, day still open',
    'state.unsigned': 'Goal reached, no hongbao: not signed',
    'state.late': 'Goal reached, no hongbao: signed too late',
    'state.below': 'Below the goal',
    'today.paid': 'Goal reached: the hongbao is paid.',
    'today.pending': 'Goal reached: the hongbao is awarded and waits to be paid.',
    'today.open': 'Goal reached: the hongbao comes when the watch signs the day after it closes.',
    'today.unsigned': 'Goal reached, but no signed record reached the goal: unsigned days earn no hongbao.',
    'today.late': 'Goal reached, but the signed record came after the grace period: no hongbao.',
    'hours.no_steps': 'No steps recorded.',
    'hours.next_sync': '{n} steps so far; no hours yet: they arrive with the next sync.',
    'hours.totals_only': '{n} steps; this device ({source}) reports day totals only.',
    'hours.not_sent': '{n} steps; the record of this day came without hours.',
    'hours.shown': '{n} steps, device {device}.',
    flagged: 'Flagged as implausible, so not counted.',
    flaggedDay: '{n} steps flagged as implausible, not counted',
    dayTitle: '{date}: {steps}. {notes}.',
    listSeparator: '; ',
    hourTick: '{h}h',
    awardNote: 'Hongbao earned by device {device} with {n} signed steps; the day counts the most any of your devices counted.',
    ledgerTotal: '{count} hongbao, {amount}',
    noLedger: 'No hongbao yet.',
    'payout.pending': 'pending', 'payout.paying': 'paying', 'payout.paid': 'paid',
    boardDiffers: 'The ranking counts what the social service received: {n} steps for you.',
    never: 'never',
    'source.bushu': 'bushu', 'source.wechat': 'WeChat', 'source.infinitime': 'InfiniTime',
    noUsers: 'No users registered yet.',
    noUsersHint: 'Add users under "seed" in the file given to bushu serve --config, or POST /admin/v1/users with the admin token; then register their watches and run bushu sync. To see the whole chain on a simulated week, run npm start.',
    loadError: 'Could not load: {msg}',
    signIn: 'Sign in to see your steps.',
    signInHint: 'Step data is private: open the login link you were given (npm start prints one per simulated user; an admin makes one with POST /admin/v1/users/<user>/tokens). A new server with no users yet: add them under "seed" in the bushu serve --config file, or with POST /admin/v1/users.',
    daysChart: 'Steps per day, last 30 days',
    hoursChart: 'Steps per hour',
  },
  zh: {
    title: '步数 bushu',
    user: '用户',
    today: '今天',
    days30: '最近 30 天',
    tapDay: '点按任意一天（包括没有步数的日子）查看每小时步数。',
    hoursH: '每小时',
    ledgerH: '红包记录',
    boardH: '今日好友排行',
    devicesH: '设备',
    date: '日期', steps: '步数', amount: '金额', payout: '支付', rank: '名次', name: '名字', device: '设备', source: '来源', lastSync: '上次同步',
    nSteps: '{n} 步',
    ofGoal: '目标 {n}',
    toGo: '还差 {n} 步（{p}）。',
    'state.paid': '红包已支付',
    'state.pending': '红包已发放，尚未支付',
    'state.open': '已达标，当天尚未结束',
    'state.unsigned': '已达标，无红包：记录未签名',
    'state.late': '已达标，无红包：签名记录来得太晚',
    'state.below': '未达标',
    'today.paid': '已达标：红包已支付。',
    'today.pending': '已达标：红包已发放，等待支付。',
    'today.open': '已达标：当天结束、手表签名后发放红包。',
    'today.unsigned': '已达标，但没有一条签名记录达到目标：未签名的日子没有红包。',
    'today.late': '已达标，但签名记录在宽限期之后才到：没有红包。',
    'hours.no_steps': '没有步数记录。',
    'hours.next_sync': '目前 {n} 步；每小时数据还没到，下次同步时送达。',
    'hours.totals_only': '{n} 步；该设备（{source}）只报告全天总数。',
    'hours.not_sent': '{n} 步；这一天的记录没有每小时数据。',
    'hours.shown': '{n} 步，设备 {device}。',
    flagged: '被判定为不合理，不计入。',
    flaggedDay: '{n} 步被判定为不合理，不计入',
    dayTitle: '{date}：{steps}。{notes}。',
    listSeparator: '；',
    hourTick: '{h}时',
    awardNote: '红包由设备 {device} 的 {n} 步签名记录获得；当天步数取你所有设备中的最大值。',
    ledgerTotal: '共 {count} 个红包，{amount}',
    noLedger: '还没有红包。',
    'payout.pending': '待支付', 'payout.paying': '支付中', 'payout.paid': '已支付',
    boardDiffers: '排行按社交服务收到的数据计算：你的步数为 {n}。',
    never: '从未',
    'source.bushu': 'bushu', 'source.wechat': '微信', 'source.infinitime': 'InfiniTime',
    noUsers: '还没有注册用户。',
    noUsersHint: '在 bushu serve --config 指定的文件的 "seed" 中添加用户，或用管理令牌 POST /admin/v1/users；然后登记手表并运行 bushu sync。想在模拟的一周上看完整流程，请运行 npm start。',
    loadError: '无法加载：{msg}',
    signIn: '请登录后查看你的步数。',
    signInHint: '步数是私密数据：请打开发给你的登录链接（npm start 会为每个模拟用户打印一个；管理员可用 POST /admin/v1/users/<user>/tokens 生成）。新服务器还没有用户时：在 bushu serve --config 文件的 "seed" 中添加，或用 POST /admin/v1/users 添加。',
    daysChart: '最近 30 天每天的步数',
    hoursChart: '每小时步数',
  },
};

/**
 * The page's language and formatting locale from ?lang= or else the browser's first language:
 * numbers, dates and times follow that locale; the words are Chinese for any zh locale, English
 * otherwise. A tag Intl does not accept is skipped rather than breaking every formatter.
 */
export function pickLocale(query, languages) {
  const valid = [query, ...languages].filter((tag) => {
    try {
      return typeof tag === 'string' && tag !== '' && Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      return false;
    }
  });
  const first = valid[0] ?? 'en';
  const lang = /^zh\b/i.test(first) ? 'zh' : 'en';
  // A bare "zh" formats as Simplified Chinese, the language of the table.
  return { lang, locale: first.toLowerCase() === 'zh' ? 'zh-CN' : first, htmlLang: lang === 'zh' ? 'zh-CN' : 'en' };
}

export function translator(lang) {
  const table = MESSAGES[lang];
  return (key, values = {}) => (table[key] ?? MESSAGES.en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
}

// The words of the command centre's console (`twinwall central`), in both
// languages; words.ts hangs them under `t.v.central`. The names of buttons
// and fields are what tests find them by: change one only with its tests.

export type CentralTab = 'wall' | 'devices' | 'history';

export interface CentralWords {
  signInHeading: string;
  signInHint: string;
  token: string;
  needToken: string;
  wrongToken: string;
  tokenEnded: string;

  tabs: Record<CentralTab, string>;
  site: string;
  allSites: string;

  sites: string;
  noLink: string;
  openAlarms: string;
  offlineOfDevices: string;
  lastEvent: string;
  noEvent: string;

  col: {
    site: string;
    level: string;
    kind: string;
    zone: string;
    device: string;
    state: string;
    opened: string;
    action: string;
    id: string;
    link: string;
    since: string;
    time: string;
    message: string;
  };
  ack: string;
  /** The acknowledge button's name: the alarm it acts on, across campuses. */
  ackName: (site: string, id: string) => string;
  /** Headlines for what an action meets at the campus (the centre's 502, 503, 504). */
  campusFailures: Partial<Record<number, string>>;
  emptyWall: string;
  noDevices: string;

  kindFilter: string;
  kindHint: string;
  filter: string;
  latest: (n: number) => string;
  noEvents: string;
  /** Campuses whose log held more than one answer reads. */
  cut: (sites: string) => string;
}

export const centralZh: CentralWords = {
  signInHeading: '指挥中心登录',
  signInHint: '指挥中心使用 API 令牌登录（由 twinwall central token create 生成）。',
  token: '令牌',
  needToken: '请输入令牌。',
  wrongToken: '令牌无效或已被撤销',
  tokenEnded: '指挥中心拒绝了令牌，请重新登录。',

  tabs: { wall: '报警墙', devices: '设备', history: '历史' },
  site: '校区',
  allSites: '全部校区',

  sites: '各校区概况',
  noLink: '未连接',
  openAlarms: '未关闭报警',
  offlineOfDevices: '离线设备 / 设备总数',
  lastEvent: '最后事件',
  noEvent: '暂无事件',

  col: {
    site: '校区',
    level: '级别',
    kind: '类型',
    zone: '区域',
    device: '设备',
    state: '状态',
    opened: '打开时间',
    action: '处置',
    id: '编号',
    link: '连接',
    since: '起始时间',
    time: '时间',
    message: '消息',
  },
  ack: '确认',
  ackName: (site, id) => `确认 ${site} ${id}`,
  campusFailures: { 502: '校区处理出错', 503: '校区暂时无法应答', 504: '校区未在时限内应答' },
  emptyWall: '各校区都没有需要处理的报警。',
  noDevices: '没有设备。',

  kindFilter: '类型',
  kindHint: '例如 fire.*；留空显示全部类型。',
  filter: '筛选',
  latest: (n) => `最近 ${n} 条事件，最新的在前`,
  noEvents: '没有符合条件的事件。',
  cut: (sites) => `${sites} 的记录过多，只读取了一部分。`,
};

export const centralEn: CentralWords = {
  signInHeading: 'Command centre sign-in',
  signInHint: 'The command centre signs in with an API token (made by twinwall central token create).',
  token: 'API token',
  needToken: 'Enter your API token.',
  wrongToken: 'The token is wrong or revoked',
  tokenEnded: 'The centre refused the token. Please sign in again.',

  tabs: { wall: 'Alarm wall', devices: 'Devices', history: 'History' },
  site: 'Campus',
  allSites: 'All campuses',

  sites: 'Campuses at a glance',
  noLink: 'No link',
  openAlarms: 'Open alarms',
  offlineOfDevices: 'Devices offline / devices',
  lastEvent: 'Last event',
  noEvent: 'No events yet',

  col: {
    site: 'Campus',
    level: 'Level',
    kind: 'Kind',
    zone: 'Zone',
    device: 'Device',
    state: 'State',
    opened: 'Opened',
    action: 'Action',
    id: 'ID',
    link: 'Link',
    since: 'Since',
    time: 'Time',
    message: 'Message',
  },
  ack: 'Acknowledge',
  ackName: (site, id) => `Acknowledge ${site} ${id}`,
  campusFailures: { 502: 'The campus failed', 503: 'The campus cannot answer now', 504: 'The campus did not answer in time' },
  emptyWall: 'No campus has an alarm waiting.',
  noDevices: 'No devices.',

  kindFilter: 'Kind',
  kindHint: 'e.g. fire.*; leave empty for every kind.',
  filter: 'Filter',
  latest: (n) => `The latest ${n} events, newest first`,
  noEvents: 'No events match.',
  cut: (sites) => `${sites}: too many records, only part was read.`,
};

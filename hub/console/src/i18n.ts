// Every word the console shows or says to a screen reader, in Chinese (the
// default: the duty rooms are in China) and English. The hub's own messages
// (refusals, alarm texts) arrive in its words and are shown as they are.

import { createContext } from 'preact';
import type { View } from './nav';
import { useContext } from 'preact/hooks';
import type { Level, Online, Resolution, Role, SpeakerState, Stage } from './types';
import { siteOffset } from './sitetime';
import { viewsEn, viewsZh, type ViewWords } from './words';

export type Lang = 'zh-CN' | 'en';

export interface Failures {
  network: string;
  400: string;
  401: string;
  403: string;
  404: string;
  409: string;
  429: string;
  server: string;
  other: string;
}

export interface Dict {
  /** This language's name in itself: the switch shows the other one's. */
  langName: string;
  appName: string;
  tagline: string;

  signInHeading: string;
  login: string;
  password: string;
  signIn: string;
  needLogin: string;
  wrongLogin: string;
  lockedOut: string;
  restoring: string;
  sessionEnded: string;

  signOut: string;
  roles: Record<Role, string>;
  live: string;
  notLive: string;

  wall: string;
  counts: (total: number, unacked: number) => string;
  loading: string;
  rebuilding: (read: number, of: number) => string;
  emptyWall: string;
  flood: (since: string, opened: number) => string;
  redBanner: (n: number) => string;
  mute: string;
  enableSound: string;

  levels: Record<Level, string>;
  kinds: Record<string, string>;
  active: string;
  cleared: string;
  unacked: string;
  acked: string;
  ackedBy: (who: string) => string;
  ownedBy: (who: string) => string;
  reAlarms: (n: number) => string;
  escalations: (n: number) => string;
  shelvedUntil: (time: string) => string;
  outOfService: (reason: string) => string;
  age: (seconds: number) => string;

  detail: string;
  backToWall: string;
  field: {
    id: string;
    level: string;
    kind: string;
    zone: string;
    device: string;
    source: string;
    message: string;
    opened: string;
    age: string;
    condition: string;
    acknowledgement: string;
    stage: string;
    owner: string;
    shelvedUntil: string;
    outOfService: string;
    resolution: string;
    closed: string;
    reAlarms: string;
    escalations: string;
    why: string;
  };
  none: string;
  ackedAt: (who: string, time: string) => string;
  stages: Record<Stage, string>;
  resolutions: Record<Resolution, string>;

  events: string;
  phases: { begin: string; end: string };
  history: string;
  transitions: Record<string, string>;
  byHub: string;
  rules: string;
  ruleLine: (rule: string, actions: string) => string;
  pictures: string;
  pictureRoles: Record<string, string>;
  fromDevice: string;
  fromRule: (rule: string) => string;

  actions: string;
  viewOnly: string;
  note: string;
  ack: string;
  take: string;
  hold: string;
  minutes: string;
  reason: string;
  shelve: string;
  unshelve: string;
  closeOpen: string;
  resolution: string;
  chooseResolution: string;
  closeSubmit: string;
  cancel: string;
  needResolution: string;
  needMinutes: string;

  mainMenu: string;
  tabs: Record<View, string>;
  /** The words of the other views (words.ts). */
  v: ViewWords;
  refresh: string;
  /** The empty first option of a choice. */
  choose: string;

  devices: string;
  byFamily: string;
  family: string;
  noDevices: string;
  online: Record<Online, string>;
  devicesViewOnly: string;
  deviceField: { driver: string; address: string; profile: string; lastSeen: string; lastError: string; problem: string };
  commands: string;
  /** What a command does, by its name; a name the table lacks is shown alone. */
  commandNames: Record<string, string>;
  commandDone: (ms: number) => string;
  /** Headlines for what a command meets (the README's errors of `POST …/commands`). */
  commandFailures: Partial<Record<number, string>>;
  needValue: (field: string) => string;
  needNumber: (field: string) => string;
  needJson: (field: string) => string;

  broadcast: string;
  broadcastViewOnly: string;
  zonesLegend: string;
  zonesHint: string;
  sourceLegend: string;
  sourceText: string;
  sourceClip: string;
  text: string;
  clip: string;
  seconds: (ms: number) => string;
  priority: string;
  priorityHint: string;
  repeat: string;
  repeatHint: string;
  startBroadcast: string;
  cancelBroadcast: string;
  needZones: string;
  needText: string;
  needClip: string;
  needPriority: string;
  needRepeat: string;
  job: (id: string) => string;
  jobSent: (speakers: number) => string;
  waiting: string;
  answered: string;
  jobDone: string;
  jobCancelled: string;
  speaker: string;
  speakerState: string;
  speakerStates: Record<SpeakerState, string>;
  recent: string;
  noJobs: string;
  jobField: { created: string; actor: string; zones: string; source: string; outcome: string };
  allZones: string;
  /** Headlines for what a broadcast meets (the README's errors of `POST /api/v1/broadcasts`). */
  broadcastFailures: Partial<Record<number, string>>;

  /** Between a headline and what follows it. */
  colon: string;
  /** Between the items of a list in running text. */
  listSep: string;
  /** A failure's headline: by HTTP status, `network` when the hub could not be reached. */
  failed: Failures;
}

/** Seconds as whole days, hours (of the day) and minutes (of the hour). */
function split(s: number): [number, number, number] {
  return [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
}

const zh: Dict = {
  langName: '中文',
  appName: 'Twinwall',
  tagline: '校园安全 双重预防',

  signInHeading: '值班登录',
  login: '账号',
  password: '密码',
  signIn: '登录',
  needLogin: '请输入账号和密码。',
  wrongLogin: '账号或密码错误',
  lockedOut: '登录失败次数过多，已暂时锁定',
  restoring: '正在恢复会话…',
  sessionEnded: '会话已结束，请重新登录。',

  signOut: '退出',
  roles: { viewer: '查看员', guard: '保安', operator: '值班员', safety: '安全员', admin: '管理员' },
  live: '实时',
  notLive: '未连接 — 正在重连',

  wall: '报警墙',
  counts: (total, unacked) => `共 ${total} 条 · 未确认 ${unacked} 条`,
  loading: '正在加载…',
  rebuilding: (read, of) => `正在重建报警簿…  已读 ${read} / 共 ${of}`,
  emptyWall: '报警墙上没有报警。',
  flood: (since, opened) => `报警风暴：自 ${since} 起新开 ${opened} 条报警`,
  redBanner: (n) => `红色报警未确认：${n} 条`,
  mute: '静音',
  enableSound: '点击页面任意位置以开启报警音。',

  levels: { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色', info: '提示' },
  kinds: {
    'fire.alarm': '火警',
    'fire.fault': '消防故障',
    'fire.prealarm': '火灾预警',
    'perimeter.intrusion': '周界入侵',
    'panic.pressed': '紧急求助',
    'access.denied': '门禁拒绝',
    'access.door': '门状态异常',
    'vehicle.violation': '车辆违规',
    'device.offline': '设备离线',
    'camera.tamper': '摄像机遮挡/破坏',
    'camera.video_loss': '视频丢失',
    'sensor.alarm': '传感器报警',
    'speaker.fault': '广播故障',
    'people.visitor_overdue': '访客逾时未离',
    'vehicle.overstay': '车辆超时停留',
  },
  active: '持续中',
  cleared: '已恢复',
  unacked: '未确认',
  acked: '已确认',
  ackedBy: (who) => `已确认：${who}`,
  ownedBy: (who) => `负责人：${who}`,
  reAlarms: (n) => `复发 ${n} 次`,
  escalations: (n) => `升级 ${n} 次`,
  shelvedUntil: (time) => `搁置至 ${time}`,
  outOfService: (reason) => `停用：${reason}`,
  age: (s) => {
    const [d, h, m] = split(s);
    if (s < 60) return `${s} 秒`;
    if (s < 3600) return `${m} 分钟`;
    return d === 0 ? `${h} 小时 ${m} 分钟` : `${d} 天 ${h} 小时`;
  },

  detail: '报警详情',
  backToWall: '返回报警墙',
  field: {
    id: '编号',
    level: '级别',
    kind: '类型',
    zone: '区域',
    device: '设备',
    source: '来源',
    message: '消息',
    opened: '开始时间',
    age: '已持续',
    condition: '现场状态',
    acknowledgement: '确认情况',
    stage: '处理阶段',
    owner: '负责人',
    shelvedUntil: '搁置至',
    outOfService: '停用原因',
    resolution: '处置结果',
    closed: '关闭时间',
    reAlarms: '复发次数',
    escalations: '升级次数',
    why: '报警依据',
  },
  none: '—',
  ackedAt: (who, time) => `${who}，${time}`,
  stages: { new: '新报警', assigned: '已接警', on_hold: '已挂起', closed: '已关闭' },
  resolutions: { real: '真实警情', false: '误报', test: '测试', maintenance: '维护作业', other: '其他' },

  events: '设备事件',
  phases: { begin: '开始', end: '结束' },
  history: '处理记录',
  transitions: {
    'alarm.acknowledged': '确认了报警',
    'alarm.assigned': '接警/指派',
    'alarm.held': '挂起了报警',
    'alarm.shelved': '搁置了报警',
    'alarm.unshelved': '取消了搁置',
    'alarm.out_of_service': '设为停用',
    'alarm.in_service': '恢复使用',
    'alarm.closed': '关闭了报警',
    'alarm.escalated': '报警升级',
    'alarm.flood': '报警风暴',
  },
  byHub: '系统',
  rules: '触发的联动规则',
  ruleLine: (rule, actions) => `规则 ${rule}：${actions}`,
  pictures: '图片',
  pictureRoles: { snapshot: '抓拍', plate: '车牌', face: '人脸' },
  fromDevice: '来自设备',
  fromRule: (rule) => `来自规则 ${rule}`,

  actions: '处置',
  viewOnly: '您的角色只能查看，不能处置报警。',
  note: '备注',
  ack: '确认',
  take: '接警',
  hold: '挂起',
  minutes: '分钟',
  reason: '原因',
  shelve: '搁置',
  unshelve: '取消搁置',
  closeOpen: '关闭…',
  resolution: '处置结果',
  chooseResolution: '请选择',
  closeSubmit: '关闭报警',
  cancel: '取消',
  needResolution: '请选择处置结果。',
  needMinutes: '请输入正整数分钟数。',

  mainMenu: '主菜单',
  tabs: {
    alarms: '报警',
    map: '地图',
    devices: '设备',
    broadcast: '广播',
    people: '人员车辆',
    statistics: '统计',
    guard: '门岗',
    program: '双重预防',
    inspect: '现场巡查',
    system: '系统',
  },
  v: viewsZh,
  refresh: '刷新',
  choose: '请选择',

  devices: '设备',
  byFamily: '按设备类别统计',
  family: '类别',
  noDevices: '您的区域内没有设备。',
  online: { online: '在线', offline: '离线', unknown: '状态未知' },
  devicesViewOnly: '您的角色只能查看设备，不能下发命令。',
  deviceField: {
    driver: '驱动',
    address: '地址',
    profile: '型号配置',
    lastSeen: '最后应答',
    lastError: '最近错误',
    problem: '故障',
  },
  commands: '命令',
  commandNames: {
    'door.open': '开门',
    'door.close': '关门',
    'door.keep_open': '常开',
    'door.keep_closed': '常闭',
    'door.normal': '恢复正常',
    'barrier.open': '抬杆',
    'barrier.close': '落杆',
    'barrier.keep_open': '常抬',
    'barrier.release': '恢复自动',
    'fence.hv': '脉冲围栏高压',
    arm: '布防',
    disarm: '撤防',
    bypass: '旁路防区',
    unbypass: '恢复防区',
    reset: '复位',
    silence: '消音',
    acknowledge: '确认',
    snapshot: '抓拍',
    play: '播放',
    stop: '停止',
    volume: '音量',
  },
  commandDone: (ms) => `设备已确认（${ms} 毫秒）`,
  commandFailures: { 409: '请求未被接受', 502: '设备拒绝执行', 503: '驱动暂不可用', 504: '设备未确认' },
  needValue: (field) => `请填写 ${field}。`,
  needNumber: (field) => `${field} 须为允许范围内的数字。`,
  needJson: (field) => `${field} 须为 JSON。`,

  broadcast: '广播',
  broadcastViewOnly: '您的角色只能查看广播记录，不能发起广播。',
  zonesLegend: '广播区域',
  zonesHint: '选中区域时包括其下级区域。',
  sourceLegend: '音源',
  sourceText: '文字播报',
  sourceClip: '录音片段',
  text: '广播内容',
  clip: '片段',
  seconds: (ms) => `${(ms / 1000).toFixed(1)} 秒`,
  priority: '优先级',
  priorityHint: '0–255，255 为消防强切',
  repeat: '重复次数',
  repeatHint: '0 表示直到取消',
  startBroadcast: '开始广播',
  cancelBroadcast: '取消广播',
  needZones: '请至少选择一个区域。',
  needText: '请输入广播内容。',
  needClip: '请选择录音片段。',
  needPriority: '优先级须为 0 到 255 的整数。',
  needRepeat: '重复次数须为非负整数。',
  job: (id) => `广播 ${id}`,
  jobSent: (n) => `已发往 ${n} 个广播终端`,
  waiting: '正在等待终端应答…',
  answered: '所有终端均已应答。',
  jobDone: '已结束',
  jobCancelled: '已取消',
  speaker: '终端',
  speakerState: '状态',
  speakerStates: {
    pending: '等待应答',
    started: '正在播放',
    preempted: '被更高优先级打断',
    finished: '播放完毕',
    failed: '失败',
    cancelled: '已取消',
  },
  recent: '最近的广播',
  noJobs: '还没有广播。',
  jobField: { created: '时间', actor: '发起人', zones: '区域', source: '音源', outcome: '结果' },
  allZones: '全部区域',
  broadcastFailures: { 409: '请求未被接受', 422: '所选区域没有广播终端', 502: '无法打开音源' },

  colon: '：',
  listSep: '、',
  failed: {
    network: '无法连接到集线器',
    400: '请求未被接受',
    401: '未登录',
    403: '无权执行此操作',
    404: '未找到',
    409: '报警状态已变化，已刷新',
    429: '尝试次数过多',
    server: '集线器暂时无法处理',
    other: '请求失败',
  },
};

const en: Dict = {
  langName: 'English',
  appName: 'Twinwall',
  tagline: 'Campus safety · dual prevention',

  signInHeading: 'Duty sign-in',
  login: 'Login',
  password: 'Password',
  signIn: 'Sign in',
  needLogin: 'Enter your login and password.',
  wrongLogin: 'Wrong login or password',
  lockedOut: 'Too many failed sign-ins: locked for a while',
  restoring: 'Restoring your session…',
  sessionEnded: 'Your session has ended. Please sign in again.',

  signOut: 'Sign out',
  roles: { viewer: 'viewer', guard: 'guard', operator: 'operator', safety: 'safety officer', admin: 'administrator' },
  live: 'Live',
  notLive: 'Not live — reconnecting',

  wall: 'Alarm wall',
  counts: (total, unacked) => `${total} alarms · ${unacked} unacknowledged`,
  loading: 'Loading…',
  rebuilding: (read, of) => `Rebuilding…  ${read} of ${of}`,
  emptyWall: 'No alarms on the wall.',
  flood: (since, opened) => `Alarm flood: ${opened} opened since ${since}`,
  redBanner: (n) => `Red alarms unacknowledged: ${n}`,
  mute: 'Mute',
  enableSound: 'Click anywhere on the page to turn the alarm tone on.',

  levels: { red: 'Red', orange: 'Orange', yellow: 'Yellow', blue: 'Blue', info: 'Info' },
  kinds: {
    'fire.alarm': 'Fire alarm',
    'fire.fault': 'Fire system fault',
    'fire.prealarm': 'Fire pre-alarm',
    'perimeter.intrusion': 'Perimeter intrusion',
    'panic.pressed': 'Panic button',
    'access.denied': 'Access denied',
    'access.door': 'Door left open or forced',
    'vehicle.violation': 'Vehicle violation',
    'device.offline': 'Device offline',
    'camera.tamper': 'Camera tampering',
    'camera.video_loss': 'Camera video loss',
    'sensor.alarm': 'Sensor alarm',
    'speaker.fault': 'Speaker fault',
    'people.visitor_overdue': 'Visitor overdue',
    'vehicle.overstay': 'Vehicle overstay',
  },
  active: 'Active',
  cleared: 'Cleared',
  unacked: 'Unacknowledged',
  acked: 'Acknowledged',
  ackedBy: (who) => `Acknowledged by ${who}`,
  ownedBy: (who) => `Owner: ${who}`,
  reAlarms: (n) => `Re-alarms: ${n}`,
  escalations: (n) => `Escalations: ${n}`,
  shelvedUntil: (time) => `Shelved until ${time}`,
  outOfService: (reason) => `Out of service: ${reason}`,
  age: (s) => {
    const [d, h, m] = split(s);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${m} min`;
    return d === 0 ? `${h} h ${m} min` : `${d} d ${h} h`;
  },

  detail: 'Alarm detail',
  backToWall: 'Back to the wall',
  field: {
    id: 'ID',
    level: 'Level',
    kind: 'Kind',
    zone: 'Zone',
    device: 'Device',
    source: 'Source',
    message: 'Message',
    opened: 'Opened',
    age: 'Waiting for',
    condition: 'Condition',
    acknowledgement: 'Acknowledgement',
    stage: 'Stage',
    owner: 'Owner',
    shelvedUntil: 'Shelved until',
    outOfService: 'Out of service',
    resolution: 'Resolution',
    closed: 'Closed at',
    reAlarms: 'Re-alarms',
    escalations: 'Escalations',
    why: 'Why it is an alarm',
  },
  none: '—',
  ackedAt: (who, time) => `${who}, ${time}`,
  stages: { new: 'New', assigned: 'Assigned', on_hold: 'On hold', closed: 'Closed' },
  resolutions: { real: 'Real', false: 'False alarm', test: 'Test', maintenance: 'Maintenance', other: 'Other' },

  events: 'Device events',
  phases: { begin: 'Begin', end: 'End' },
  history: 'History',
  transitions: {
    'alarm.acknowledged': 'acknowledged',
    'alarm.assigned': 'assigned',
    'alarm.held': 'put on hold',
    'alarm.shelved': 'shelved',
    'alarm.unshelved': 'unshelved',
    'alarm.out_of_service': 'out of service',
    'alarm.in_service': 'back in service',
    'alarm.closed': 'closed',
    'alarm.escalated': 'escalated',
    'alarm.flood': 'alarm flood',
  },
  byHub: 'the hub',
  rules: 'Rules that fired',
  ruleLine: (rule, actions) => `Rule ${rule}: ${actions}`,
  pictures: 'Pictures',
  pictureRoles: { snapshot: 'Snapshot', plate: 'Number plate', face: 'Face' },
  fromDevice: 'from the device',
  fromRule: (rule) => `from rule ${rule}`,

  actions: 'Actions',
  viewOnly: 'Your role can view alarms but not act on them.',
  note: 'Note',
  ack: 'Acknowledge',
  take: 'Take',
  hold: 'Hold',
  minutes: 'Minutes',
  reason: 'Reason',
  shelve: 'Shelve',
  unshelve: 'Unshelve',
  closeOpen: 'Close…',
  resolution: 'Resolution',
  chooseResolution: 'Choose…',
  closeSubmit: 'Close alarm',
  cancel: 'Cancel',
  needResolution: 'Choose a resolution.',
  needMinutes: 'Enter a whole number of minutes.',

  mainMenu: 'Main menu',
  tabs: {
    alarms: 'Alarms',
    map: 'Map',
    devices: 'Devices',
    broadcast: 'Broadcast',
    people: 'People',
    statistics: 'Statistics',
    guard: 'Guard room',
    program: 'Dual prevention',
    inspect: 'On-site inspection',
    system: 'System',
  },
  v: viewsEn,
  refresh: 'Refresh',
  choose: 'Choose…',

  devices: 'Devices',
  byFamily: 'By device family',
  family: 'Family',
  noDevices: 'No devices in your zones.',
  online: { online: 'Online', offline: 'Offline', unknown: 'Unknown' },
  devicesViewOnly: 'Your role can view devices but not command them.',
  deviceField: {
    driver: 'Driver',
    address: 'Address',
    profile: 'Profile',
    lastSeen: 'Last seen',
    lastError: 'Last error',
    problem: 'Problem',
  },
  commands: 'Commands',
  commandNames: {
    'door.open': 'Open the door',
    'door.close': 'Close the door',
    'door.keep_open': 'Keep open',
    'door.keep_closed': 'Keep closed',
    'door.normal': 'Back to normal',
    'barrier.open': 'Raise the barrier',
    'barrier.close': 'Lower the barrier',
    'barrier.keep_open': 'Keep raised',
    'barrier.release': 'Back to automatic',
    'fence.hv': 'Pulse fence high voltage',
    arm: 'Arm',
    disarm: 'Disarm',
    bypass: 'Bypass a zone',
    unbypass: 'Restore a zone',
    reset: 'Reset',
    silence: 'Silence',
    acknowledge: 'Acknowledge',
    snapshot: 'Snapshot',
    play: 'Play',
    stop: 'Stop',
    volume: 'Volume',
  },
  commandDone: (ms) => `Confirmed by the device (${ms} ms)`,
  commandFailures: {
    409: 'Not accepted',
    502: 'The device refused',
    503: 'Driver unavailable',
    504: 'No confirmation from the device',
  },
  needValue: (field) => `Fill in ${field}.`,
  needNumber: (field) => `${field} must be a number within its range.`,
  needJson: (field) => `${field} must be JSON.`,

  broadcast: 'Broadcast',
  broadcastViewOnly: 'Your role can view broadcasts but not start them.',
  zonesLegend: 'Zones',
  zonesHint: 'A zone includes the zones below it.',
  sourceLegend: 'Audio',
  sourceText: 'Speech',
  sourceClip: 'Stored clip',
  text: 'Text',
  clip: 'Clip',
  seconds: (ms) => `${(ms / 1000).toFixed(1)} s`,
  priority: 'Priority',
  priorityHint: '0–255; 255 is fire evacuation',
  repeat: 'Repeat',
  repeatHint: '0 plays until cancelled',
  startBroadcast: 'Start broadcast',
  cancelBroadcast: 'Cancel broadcast',
  needZones: 'Choose at least one zone.',
  needText: 'Enter the text to speak.',
  needClip: 'Choose a clip.',
  needPriority: 'Priority must be a whole number from 0 to 255.',
  needRepeat: 'Repeat must be a whole number, 0 or more.',
  job: (id) => `Broadcast ${id}`,
  jobSent: (n) => `Sent to ${n} speakers`,
  waiting: 'Waiting for the speakers to answer…',
  answered: 'Every speaker has answered.',
  jobDone: 'Ended',
  jobCancelled: 'Cancelled',
  speaker: 'Speaker',
  speakerState: 'State',
  speakerStates: {
    pending: 'Waiting',
    started: 'Playing',
    preempted: 'Cut in by a higher priority',
    finished: 'Played out',
    failed: 'Failed',
    cancelled: 'Cancelled',
  },
  recent: 'Recent broadcasts',
  noJobs: 'No broadcasts yet.',
  jobField: { created: 'Time', actor: 'By', zones: 'Zones', source: 'Audio', outcome: 'Outcome' },
  allZones: 'All zones',
  broadcastFailures: { 409: 'Not accepted', 422: 'No speaker in those zones', 502: 'Cannot open the live source' },

  colon: ': ',
  listSep: ', ',
  failed: {
    network: 'Cannot reach the hub',
    400: 'Not accepted',
    401: 'Not signed in',
    403: 'Not allowed',
    404: 'Not found',
    409: 'The alarm has moved on; refreshed',
    429: 'Too many tries',
    server: 'The hub could not do it',
    other: 'Request failed',
  },
};

export const dictionaries: Record<Lang, Dict> = { 'zh-CN': zh, en };

const STORAGE_KEY = 'twinwall.lang';

/** The saved choice, else Chinese. Storage may be off (private windows): then the default. */
export function savedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** Saves the choice and tells the document, so screen readers and fonts follow. */
export function applyLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not saved: the choice still holds until the page reloads.
  }
  const t = dictionaries[lang];
  document.documentElement.lang = lang;
  document.title = `${t.appName} · ${t.tagline}`;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * An RFC 3339 time in the site's time (the hub's `utc_offset_minutes`;
 * the browser's zone until the hub has said), written the language's way.
 */
export function formatTime(iso: string, lang: Lang): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const offset = siteOffset();
  const key = `${lang}:${offset === null ? 'local' : 'site'}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(lang, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      // The site's time is UTC shifted by its offset.
      ...(offset === null ? {} : { timeZone: 'UTC' }),
    });
    timeFormats.set(key, format);
  }
  return format.format(offset === null ? when : new Date(when.getTime() + offset * 60_000));
}

/** A time the hub gave in ms since the epoch, as formatTime writes it. */
export function formatMs(ms: number, lang: Lang): string {
  return formatTime(new Date(ms).toISOString(), lang);
}

/** An event or alarm kind in words; a kind the tables lack is shown as the hub names it. */
export function kindName(t: Dict, kind: string): string {
  return t.kinds[kind] ?? t.v.kinds[kind] ?? kind;
}

/** A role's name; one this console does not know is shown as the hub names it. */
export function roleName(t: Dict, role: string): string {
  const names: Readonly<Record<string, string>> = t.roles;
  return names[role] ?? role;
}

export interface I18n {
  lang: Lang;
  t: Dict;
  setLang: (lang: Lang) => void;
}

export const I18nContext = createContext<I18n>({
  lang: 'zh-CN',
  t: zh,
  setLang: () => undefined,
});

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** A command's words when the table has them. */
export function commandName(t: Dict, name: string): string | null {
  return t.commandNames[name] ?? null;
}

// The words of the map, statistics, people, guard room and system views, in
// both languages (the dual-prevention views' come from programwords.ts,
// the command centre's from central/words.ts).
// Kept apart from i18n.ts (the alarm wall's) so each file stays one
// screen's worth; i18n.ts hangs them under `t.v`.

import { centralEn, centralZh, type CentralWords } from './central/words';
import { inspectEn, inspectZh, programEn, programZh, type InspectWords, type ProgramWords } from './programwords';
import type { Dimension, Online } from './types';

export interface ViewWords {
  clipUpload: { file: string; hint: string; upload: string; uploaded: (name: string) => string };
  cameras: {
    heading: string;
    pictureOf: (camera: string, time: string) => string;
    streamStates: Record<string, string>;
    streamLink: (camera: string) => string;
    takeNow: (camera: string) => string;
    getStream: (camera: string) => string;
  };
  live: { source: string; url: string; hint: string; need: string };
  schedule: {
    legend: string;
    now: string;
    at: string;
    daily: string;
    atLabel: string;
    dailyLabel: string;
    needAt: string;
    needDaily: string;
    scheduled: (next: string) => string;
    heading: string;
    none: string;
    once: (time: string) => string;
    everyDay: (hm: string) => string;
    next: (time: string) => string;
    runs: (n: number) => string;
    unschedule: (what: string) => string;
    by: (who: string) => string;
  };
  /** Event kinds that are not alarms (the alarm kinds are in i18n.ts). */
  kinds: Record<string, string>;
  map: {
    heading: string;
    plan: string;
    noPlan: string;
    zonesTree: string;
    legend: string;
    risk: Record<'red' | 'orange' | 'yellow' | 'blue' | 'none', string>;
    alarmHere: (n: number) => string;
    showZone: (zone: string) => string;
    device: (id: string) => string;
    chosenDevice: string;
    closeDevice: string;
    closeZone: string;
    zoomIn: string;
    zoomOut: string;
    broadcastHere: (zone: string) => string;
    lastEvents: string;
    noEvents: string;
    notPlaced: (n: number) => string;
    moveDevices: string;
    moveHint: string;
    placed: (id: string) => string;
    unplaced: string;
    putOnPlan: (id: string) => string;
    x: string;
    y: string;
    savePlace: string;
    state: Record<Online, string>;
  };
  stats: {
    heading: string;
    from: string;
    to: string;
    show: string;
    lastDays: (n: number) => string;
    exportCsv: string;
    rebuilding: (read: number, of: number) => string;
    dimensions: Record<Dimension, string>;
    byDimension: string;
    eventsPerDay: string;
    alarmsPerDay: string;
    ackMedian: string;
    seconds: string;
    byZone: string;
    byKind: string;
    byLevel: string;
    events: string;
    alarms: string;
    acknowledged: string;
    kpis: string;
    kpiLevel: string;
    kpiAlarms: string;
    kpiAckMedian: string;
    kpiAckP90: string;
    kpiCloseMedian: string;
    day: string;
    count: string;
    badRange: string;
  };
  people: {
    heading: string;
    headCounts: string;
    category: string;
    zone: string;
    inside: string;
    left: string;
    categories: Record<string, string>;
    visitors: string;
    noVisitors: string;
    overdue: string;
    since: string;
    name: string;
    gate: string;
    vehicles: string;
    noVehicles: string;
    plate: string;
    overstay: string;
    violations: string;
    noViolations: string;
    reason: string;
    reasons: Record<string, string>;
    plateColours: Record<string, string>;
    speed: (kmh: number, limit: number | null) => string;
    scene: (plate: string) => string;
    notReady: string;
  };
  guard: {
    heading: string;
    alarms: string;
    noAlarms: string;
    gates: string;
    noGates: string;
    open: (device: string) => string;
    openDoor: (device: string, door: number) => string;
    door: string;
    opened: string;
    faces: string;
    noFaces: string;
    plates: string;
    noPlates: string;
    snapshots: string;
    noSnapshots: string;
    takeSnapshot: (camera: string) => string;
    access: Record<string, string>;
  };
  system: {
    heading: string;
    site: string;
    version: string;
    uptime: (s: number) => string;
    drivers: string;
    name: string;
    state: string;
    driverStates: Record<'running' | 'restarting' | 'quarantined', string>;
    crashes: string;
    lastTrap: string;
    quarantined: string;
    releaseDevice: (id: string) => string;
    releaseDriver: (name: string) => string;
    released: string;
    loadFailures: string;
    store: string;
    events: string;
    bytes: string;
    writeFailures: string;
    writeError: string;
    northbound: string;
    notConfigured: string;
    connected: string;
    disconnected: string;
    backlog: (events: number, seconds: number) => string;
    published: string;
    reconnects: string;
    adminOnly: string;
  };
  /** The dual-prevention views (programwords.ts). */
  program: ProgramWords;
  inspect: InspectWords;
  /** The command centre's console (central/words.ts). */
  central: CentralWords;
}

const zhStates: Record<Online, string> = { online: '在线', offline: '离线', unknown: '未知' };
const enStates: Record<Online, string> = { online: 'online', offline: 'offline', unknown: 'unknown' };

const zhKinds: Record<string, string> = {
  'access.granted': '通行',
  'access.denied': '拒绝通行',
  'access.door': '门状态',
  'alarm.acknowledged': '报警已确认',
  'alarm.assigned': '报警已接警',
  'alarm.closed': '报警已关闭',
  'alarm.escalated': '报警升级',
  'alarm.flood': '报警风暴',
  'alarm.held': '报警挂起',
  'alarm.in_service': '恢复服务',
  'alarm.out_of_service': '停用',
  'alarm.shelved': '报警搁置',
  'alarm.unshelved': '取消搁置',
  'barrier.state': '道闸状态',
  'broadcast.cancelled': '广播取消',
  'broadcast.failed': '广播失败',
  'broadcast.finished': '广播完成',
  'broadcast.missed': '广播错过',
  'broadcast.preempted': '广播被抢占',
  'broadcast.requested': '广播请求',
  'broadcast.scheduled': '广播计划',
  'broadcast.started': '广播开始',
  'broadcast.unscheduled': '取消广播计划',
  'bus.gap': '日志缺口',
  'camera.motion': '移动侦测',
  'camera.snapshot': '抓拍',
  'camera.stream': '视频流',
  'camera.stream_uri': '视频流地址',
  'clip.uploaded': '音频上传',
  'device.command': '设备命令',
  'device.heartbeat': '心跳',
  'device.online': '设备上线',
  'device.placed': '设备位置调整',
  'device.quarantined': '设备隔离',
  'device.released': '解除设备隔离',
  'driver.crashed': '驱动崩溃',
  'driver.loaded': '驱动加载',
  'driver.quarantined': '驱动隔离',
  'driver.released': '解除驱动隔离',
  'driver.throttled': '驱动限流',
  'fire.disabled': '消防屏蔽',
  'fire.panel': '消防主机',
  'fire.supervisory': '消防监管',
  'northbound.dropped': '北向丢弃',
  'panic.cancelled': '一键报警取消',
  'perimeter.armed': '布防',
  'perimeter.bypassed': '旁路',
  'perimeter.disarmed': '撤防',
  'perimeter.fault': '周界故障',
  'perimeter.tamper': '周界防拆',
  'rule.action': '联动动作',
  'rule.fired': '联动触发',
  'rule.rejected': '联动被拒',
  'rule.reloaded': '联动规则重载',
  'rule.suppressed': '联动抑制',
  'session.ended': '退出登录',
  'session.refused': '登录被拒',
  'session.started': '登录',
  'speaker.idle': '音柱空闲',
  'speaker.playing': '音柱播放',
  'token.created': '令牌创建',
  'token.revoked': '令牌吊销',
  'unit.created': '单位创建',
  'user.created': '用户创建',
  'user.disabled': '用户停用',
  'user.enabled': '用户启用',
  'user.password_changed': '密码修改',
  'vehicle.passage': '车辆通行',
  'vehicle.plate': '车牌识别',
  'vehicle.speeding': '超速',
};

const enKinds: Record<string, string> = {
  'access.granted': 'Access granted',
  'access.denied': 'Access denied',
  'access.door': 'Door state',
  'alarm.acknowledged': 'Alarm acknowledged',
  'alarm.assigned': 'Alarm taken',
  'alarm.closed': 'Alarm closed',
  'alarm.escalated': 'Alarm escalated',
  'alarm.flood': 'Alarm flood',
  'alarm.held': 'Alarm on hold',
  'alarm.in_service': 'Back in service',
  'alarm.out_of_service': 'Out of service',
  'alarm.shelved': 'Alarm shelved',
  'alarm.unshelved': 'Alarm unshelved',
  'barrier.state': 'Barrier state',
  'broadcast.cancelled': 'Broadcast cancelled',
  'broadcast.failed': 'Broadcast failed',
  'broadcast.finished': 'Broadcast finished',
  'broadcast.missed': 'Broadcast missed',
  'broadcast.preempted': 'Broadcast preempted',
  'broadcast.requested': 'Broadcast requested',
  'broadcast.scheduled': 'Broadcast scheduled',
  'broadcast.started': 'Broadcast started',
  'broadcast.unscheduled': 'Broadcast unscheduled',
  'bus.gap': 'Log gap',
  'camera.motion': 'Motion',
  'camera.snapshot': 'Snapshot',
  'camera.stream': 'Video stream',
  'camera.stream_uri': 'Stream address',
  'clip.uploaded': 'Clip uploaded',
  'device.command': 'Device command',
  'device.heartbeat': 'Heartbeat',
  'device.online': 'Device online',
  'device.placed': 'Device moved on the map',
  'device.quarantined': 'Device quarantined',
  'device.released': 'Device released',
  'driver.crashed': 'Driver crashed',
  'driver.loaded': 'Driver loaded',
  'driver.quarantined': 'Driver quarantined',
  'driver.released': 'Driver released',
  'driver.throttled': 'Driver throttled',
  'fire.disabled': 'Fire point disabled',
  'fire.panel': 'Fire panel',
  'fire.supervisory': 'Fire supervisory',
  'northbound.dropped': 'Northbound dropped',
  'panic.cancelled': 'Panic cancelled',
  'perimeter.armed': 'Armed',
  'perimeter.bypassed': 'Bypassed',
  'perimeter.disarmed': 'Disarmed',
  'perimeter.fault': 'Perimeter fault',
  'perimeter.tamper': 'Perimeter tamper',
  'rule.action': 'Rule action',
  'rule.fired': 'Rule fired',
  'rule.rejected': 'Rule rejected',
  'rule.reloaded': 'Rules reloaded',
  'rule.suppressed': 'Rule suppressed',
  'session.ended': 'Signed out',
  'session.refused': 'Sign-in refused',
  'session.started': 'Signed in',
  'speaker.idle': 'Speaker idle',
  'speaker.playing': 'Speaker playing',
  'token.created': 'Token created',
  'token.revoked': 'Token revoked',
  'unit.created': 'Unit created',
  'user.created': 'User created',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.password_changed': 'Password changed',
  'vehicle.passage': 'Vehicle passage',
  'vehicle.plate': 'Plate read',
  'vehicle.speeding': 'Speeding',
};

export const viewsZh: ViewWords = {
  clipUpload: {
    file: '上传录音',
    hint: 'WAV（PCM、μ律或A律，任意采样率），或 G.711 原始音频（.ul 为 μ律，.al 为 A律）；中心转为 8 kHz 保存。',
    upload: '上传',
    uploaded: (name) => `已上传：${name}`,
  },
  cameras: {
    heading: '本区域摄像机',
    pictureOf: (camera, time) => `${camera} 抓拍 · ${time}`,
    streamStates: { playing: '视频正常', stalled: '视频卡顿', down: '视频中断' },
    streamLink: (camera) => `打开视频流 ${camera}`,
    takeNow: (camera) => `立即抓拍 ${camera}`,
    getStream: (camera) => `获取视频流地址 ${camera}`,
  },
  live: {
    source: '直播音源',
    url: '音源地址',
    hint: '中心允许的音源地址（hub.toml 的 [broadcast] live_sources），G.711 音频流。',
    need: '请输入直播音源地址。',
  },
  schedule: {
    legend: '播放时间',
    now: '立即播放',
    at: '定时一次',
    daily: '每天',
    atLabel: '播放时间（站点时间）',
    dailyLabel: '每天播放时刻（站点时间）',
    needAt: '请选择播放时间。',
    needDaily: '请输入每天的播放时刻（时:分）。',
    scheduled: (next) => `已加入定时广播，下次播放：${next}`,
    heading: '定时广播',
    none: '没有定时广播。',
    once: (time) => `一次：${time}`,
    everyDay: (hm) => `每天 ${hm}`,
    next: (time) => `下次 ${time}`,
    runs: (n) => `已播放 ${n} 次`,
    unschedule: (what) => `取消定时 ${what}`,
    by: (who) => `设置人 ${who}`,
  },
  kinds: zhKinds,
  map: {
    heading: '校园地图',
    plan: '校园平面图',
    noPlan: '本站未配置平面图（hub.toml 的 [map]）。',
    zonesTree: '区域',
    legend: '风险四色图',
    risk: { red: '重大风险', orange: '较大风险', yellow: '一般风险', blue: '低风险', none: '未评定' },
    alarmHere: (n) => `${n} 条报警`,
    showZone: (zone) => `在地图上显示 ${zone}`,
    device: (id) => `设备 ${id}`,
    chosenDevice: '所选设备',
    closeDevice: '关闭设备详情',
    closeZone: '关闭区域详情',
    zoomIn: '放大',
    zoomOut: '缩小',
    broadcastHere: (zone) => `向 ${zone} 广播`,
    lastEvents: '最近事件',
    noEvents: '还没有事件。',
    notPlaced: (n) => `${n} 台设备未在图上标注位置。`,
    moveDevices: '调整设备位置',
    moveHint: '拖动设备图标到新位置，或在设备详情中输入坐标；位置保存在本中心，并记入日志。',
    placed: (id) => `已保存 ${id} 的位置`,
    unplaced: '未标注位置的设备',
    putOnPlan: (id) => `放到图上 ${id}`,
    x: '横坐标 x',
    y: '纵坐标 y',
    savePlace: '保存位置',
    state: zhStates,
  },
  stats: {
    heading: '统计分析',
    from: '起始日期',
    to: '截止日期',
    show: '查询',
    lastDays: (n) => `近 ${n} 天`,
    exportCsv: '导出 CSV',
    rebuilding: (read, of) => `正在重建统计：${read} / ${of}`,
    dimensions: {
      personal: '人身安全',
      environment: '环境安全',
      active_defence: '主动防御',
      special: '专项治理',
      operation: '运行管理',
      mechanism: '安全机制',
      other: '其他',
    },
    byDimension: '六个维度的事件（每日）',
    eventsPerDay: '每日事件',
    alarmsPerDay: '每日报警',
    ackMedian: '确认用时中位数',
    seconds: '秒',
    byZone: '按区域',
    byKind: '按类型',
    byLevel: '按级别',
    events: '事件',
    alarms: '报警',
    acknowledged: '已确认',
    kpis: '报警处置指标（全部在册报警）',
    kpiLevel: '级别',
    kpiAlarms: '报警数',
    kpiAckMedian: '确认用时中位数',
    kpiAckP90: '确认用时 P90',
    kpiCloseMedian: '关闭用时中位数',
    day: '日期',
    count: '数量',
    badRange: '截止日期不能早于起始日期。',
  },
  people: {
    heading: '人员与车辆',
    headCounts: '各区域人数',
    category: '类别',
    zone: '区域',
    inside: '在内',
    left: '已离开',
    categories: { staff: '教职工', student: '学生', visitor: '访客', unknown: '未登记', blocked: '黑名单' },
    visitors: '在校访客',
    noVisitors: '当前没有在校访客。',
    overdue: '超时',
    since: '进入时间',
    name: '姓名',
    gate: '门禁',
    vehicles: '在校车辆',
    noVehicles: '当前没有在校车辆。',
    plate: '车牌',
    overstay: '超时停留',
    violations: '交通违法',
    noViolations: '没有违法记录。',
    reason: '原因',
    reasons: { speeding: '超速', blocklisted: '黑名单车辆', overstay: '超时停留' },
    plateColours: { blue: '蓝牌', yellow: '黄牌', green: '绿牌', white: '白牌', black: '黑牌' },
    speed: (kmh, limit) => (limit === null ? `${kmh} km/h` : `${kmh} km/h（限速 ${limit}）`),
    scene: (plate) => `${plate} 的现场照片`,
    notReady: '正在重建，请稍候。',
  },
  guard: {
    heading: '门岗值班',
    alarms: '本岗报警',
    noAlarms: '本岗没有待处理报警。',
    gates: '闸机与道闸',
    noGates: '本岗没有闸机或道闸。',
    open: (device) => `开闸 ${device}`,
    openDoor: (device, door) => `开门 ${device} ${door} 号门`,
    door: '门号',
    opened: '已执行',
    faces: '最近人脸通行',
    noFaces: '最近没有人脸通行。',
    plates: '最近车牌',
    noPlates: '最近没有车辆。',
    snapshots: '摄像机抓拍',
    noSnapshots: '本岗没有摄像机。',
    takeSnapshot: (camera) => `立即抓拍 ${camera}`,
    access: { 'access.granted': '通行', 'access.denied': '拒绝', 'access.stranger': '陌生人' },
  },
  system: {
    heading: '系统',
    site: '站点',
    version: '版本',
    uptime: (s) => `已运行 ${Math.floor(s / 3600)} 小时 ${Math.floor((s % 3600) / 60)} 分`,
    drivers: '驱动',
    name: '名称',
    state: '状态',
    driverStates: { running: '运行中', restarting: '重启中', quarantined: '已隔离' },
    crashes: '崩溃次数',
    lastTrap: '最近一次异常',
    quarantined: '隔离中的设备',
    releaseDevice: (id) => `解除隔离 ${id}`,
    releaseDriver: (name) => `解除驱动隔离 ${name}`,
    released: '已解除隔离',
    loadFailures: '加载失败的驱动',
    store: '事件存储',
    events: '事件序号范围',
    bytes: '占用空间',
    writeFailures: '写入失败次数',
    writeError: '写入错误',
    northbound: '北向转发',
    notConfigured: '未配置北向转发。',
    connected: '已连接',
    disconnected: '未连接',
    backlog: (events, seconds) => `积压 ${events} 条（最早 ${Math.round(seconds)} 秒前）`,
    published: '已发布',
    reconnects: '重连次数',
    adminOnly: '解除隔离需要管理员角色。',
  },
  program: programZh,
  inspect: inspectZh,
  central: centralZh,
};

export const viewsEn: ViewWords = {
  clipUpload: {
    file: 'Upload a recording',
    hint: 'WAV (PCM, μ-law or A-law, any rate), or raw G.711 (.ul μ-law, .al A-law); the hub keeps it at 8 kHz.',
    upload: 'Upload',
    uploaded: (name) => `Uploaded: ${name}`,
  },
  cameras: {
    heading: 'Cameras of this zone',
    pictureOf: (camera, time) => `${camera} snapshot · ${time}`,
    streamStates: { playing: 'video playing', stalled: 'video stalled', down: 'video down' },
    streamLink: (camera) => `Open the video stream ${camera}`,
    takeNow: (camera) => `Take a snapshot now ${camera}`,
    getStream: (camera) => `Get the stream address ${camera}`,
  },
  live: {
    source: 'Live source',
    url: 'Source address',
    hint: 'An address the hub allows ([broadcast] live_sources in hub.toml), streaming G.711 audio.',
    need: 'Give the live source\'s address.',
  },
  schedule: {
    legend: 'When',
    now: 'Now',
    at: 'Once, later',
    daily: 'Every day',
    atLabel: 'Time (the site\'s time)',
    dailyLabel: 'Time of day (the site\'s time)',
    needAt: 'Choose when it plays.',
    needDaily: 'Give the time of day (HH:MM).',
    scheduled: (next) => `Scheduled; it plays next at ${next}`,
    heading: 'Scheduled broadcasts',
    none: 'No scheduled broadcasts.',
    once: (time) => `Once: ${time}`,
    everyDay: (hm) => `Every day at ${hm}`,
    next: (time) => `next ${time}`,
    runs: (n) => `played ${n} time${n === 1 ? '' : 's'}`,
    unschedule: (what) => `Unschedule ${what}`,
    by: (who) => `set by ${who}`,
  },
  kinds: enKinds,
  map: {
    heading: 'Campus map',
    plan: 'Site plan',
    noPlan: 'This site has no plan configured ([map] in hub.toml).',
    zonesTree: 'Zones',
    legend: 'Four-colour risk map',
    risk: { red: 'Major risk', orange: 'Significant risk', yellow: 'General risk', blue: 'Low risk', none: 'Not graded' },
    alarmHere: (n) => `${n} alarm${n === 1 ? '' : 's'}`,
    showZone: (zone) => `Show ${zone} on the map`,
    device: (id) => `Device ${id}`,
    chosenDevice: 'Chosen device',
    closeDevice: 'Close device details',
    closeZone: 'Close zone details',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    broadcastHere: (zone) => `Broadcast to ${zone}`,
    lastEvents: 'Last events',
    noEvents: 'No events yet.',
    notPlaced: (n) => `${n} device${n === 1 ? ' has' : 's have'} no place on the plan.`,
    moveDevices: 'Move devices',
    moveHint: 'Drag a device to its new place, or type its coordinates in its details; places are kept by the hub and logged.',
    placed: (id) => `Place of ${id} saved`,
    unplaced: 'Devices without a place',
    putOnPlan: (id) => `Put ${id} on the plan`,
    x: 'x',
    y: 'y',
    savePlace: 'Save place',
    state: enStates,
  },
  stats: {
    heading: 'Statistics',
    from: 'From',
    to: 'To',
    show: 'Show',
    lastDays: (n) => `Last ${n} days`,
    exportCsv: 'Export CSV',
    rebuilding: (read, of) => `Rebuilding the figures: ${read} / ${of}`,
    dimensions: {
      personal: 'Personal safety',
      environment: 'Environmental safety',
      active_defence: 'Active defence',
      special: 'Special campaigns',
      operation: 'Operations',
      mechanism: 'Safety mechanisms',
      other: 'Other',
    },
    byDimension: 'Events in the six dimensions (per day)',
    eventsPerDay: 'Events per day',
    alarmsPerDay: 'Alarms per day',
    ackMedian: 'Median time to acknowledge',
    seconds: 's',
    byZone: 'By zone',
    byKind: 'By kind',
    byLevel: 'By level',
    events: 'Events',
    alarms: 'Alarms',
    acknowledged: 'Acknowledged',
    kpis: 'Alarm handling (every alarm on record)',
    kpiLevel: 'Level',
    kpiAlarms: 'Alarms',
    kpiAckMedian: 'Median to acknowledge',
    kpiAckP90: 'P90 to acknowledge',
    kpiCloseMedian: 'Median to close',
    day: 'Day',
    count: 'Count',
    badRange: 'The end date is before the start date.',
  },
  people: {
    heading: 'People and vehicles',
    headCounts: 'Head counts by zone',
    category: 'Category',
    zone: 'Zone',
    inside: 'Inside',
    left: 'Left',
    categories: { staff: 'Staff', student: 'Students', visitor: 'Visitors', unknown: 'Unregistered', blocked: 'Blocklisted' },
    visitors: 'Visitors on campus',
    noVisitors: 'No visitors on campus.',
    overdue: 'Overdue',
    since: 'Since',
    name: 'Name',
    gate: 'Gate',
    vehicles: 'Vehicles on campus',
    noVehicles: 'No vehicles on campus.',
    plate: 'Plate',
    overstay: 'Overstaying',
    violations: 'Traffic violations',
    noViolations: 'No violations.',
    reason: 'Reason',
    reasons: { speeding: 'Speeding', blocklisted: 'Blocklisted vehicle', overstay: 'Overstay' },
    plateColours: { blue: 'blue plate', yellow: 'yellow plate', green: 'green plate', white: 'white plate', black: 'black plate' },
    speed: (kmh, limit) => (limit === null ? `${kmh} km/h` : `${kmh} km/h (limit ${limit})`),
    scene: (plate) => `Scene picture of ${plate}`,
    notReady: 'Rebuilding, one moment.',
  },
  guard: {
    heading: 'Guard room',
    alarms: 'Alarms at my post',
    noAlarms: 'No alarms waiting at this post.',
    gates: 'Gates and barriers',
    noGates: 'No gates or barriers at this post.',
    open: (device) => `Open ${device}`,
    openDoor: (device, door) => `Open ${device} door ${door}`,
    door: 'Door',
    opened: 'Done',
    faces: 'Last faces at the gates',
    noFaces: 'No one through the gates lately.',
    plates: 'Last plates',
    noPlates: 'No vehicles lately.',
    snapshots: 'Camera snapshots',
    noSnapshots: 'No cameras at this post.',
    takeSnapshot: (camera) => `Take a snapshot now ${camera}`,
    access: { 'access.granted': 'Granted', 'access.denied': 'Denied', 'access.stranger': 'Stranger' },
  },
  system: {
    heading: 'System',
    site: 'Site',
    version: 'Version',
    uptime: (s) => `Up ${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`,
    drivers: 'Drivers',
    name: 'Name',
    state: 'State',
    driverStates: { running: 'Running', restarting: 'Restarting', quarantined: 'Quarantined' },
    crashes: 'Crashes',
    lastTrap: 'Last trap',
    quarantined: 'Quarantined devices',
    releaseDevice: (id) => `Release ${id}`,
    releaseDriver: (name) => `Release driver ${name}`,
    released: 'Released',
    loadFailures: 'Drivers that failed to load',
    store: 'Event store',
    events: 'Event seq range',
    bytes: 'Size',
    writeFailures: 'Write failures',
    writeError: 'Write error',
    northbound: 'Northbound bridge',
    notConfigured: 'No northbound bridge configured.',
    connected: 'Connected',
    disconnected: 'Not connected',
    backlog: (events, seconds) => `Backlog ${events} events (oldest ${Math.round(seconds)} s ago)`,
    published: 'Published',
    reconnects: 'Reconnects',
    adminOnly: 'Releasing a quarantine needs the admin role.',
  },
  program: programEn,
  inspect: inspectEn,
  central: centralEn,
};

// The words of the dual-prevention views (双重预防: the register, rounds,
// hazards, assessment) and of the phone's inspection view, in both
// languages; words.ts hangs them under `t.v.program` and `t.v.inspect`.
// The names of buttons and fields are what tests find them by: change one
// only with its tests.

import { figuresEn, figuresZh, zoneMapEn, zoneMapZh, type FigureWords, type ZoneMapWords } from './programfigurewords';
import type { Frequency, HazardLevel, HazardState, MeasureKind, StepName, Which } from './programtypes';

export type ProgramTab = 'register' | 'rounds' | 'hazards' | 'assessment';

export interface ProgramWords {
  heading: string;
  sections: string;
  tabs: Record<ProgramTab, string>;
  /** Hazard and hazard-source categories (`[program] categories`, the default table). */
  categories: Record<string, string>;
  register: {
    heading: string;
    level: string;
    anyLevel: string;
    unassessed: string;
    onlyReviewOverdue: string;
    empty: string;
    unit: string;
    assessment: string;
    lec: (l: number, e: number, c: number, d: number) => string;
    matrix: (l: number, s: number, r: number) => string;
    sources: string;
    noSources: string;
    mayCause: (what: string) => string;
    measures: string;
    noMeasures: string;
    measureKinds: Record<MeasureKind, string>;
    responsible: (who: string) => string;
    devices: string;
    reviewDue: (time: string) => string;
    reviewOverdue: (time: string) => string;
    review: (name: string) => string;
    reviewed: (name: string) => string;
    points: (n: number) => string;
  };
  lists: {
    heading: string;
    names: Record<string, string>;
    download: (list: string, format: string) => string;
    importHeading: string;
    importList: string;
    importFile: string;
    importHint: string;
    import: string;
    needFile: string;
    imported: (n: number) => string;
    importFailed: string;
    safetyOnly: string;
  };
  rounds: {
    heading: string;
    due: string;
    noneDue: string;
    tasks: string;
    noTasks: string;
    task: string;
    point: string;
    zone: string;
    every: string;
    unit: string;
    period: string;
    state: string;
    frequencies: Record<Frequency, string>;
    owed: string;
    done: (round: string) => string;
    noPeriod: string;
    missed: string;
    noMissed: string;
    dueBy: string;
    recent: string;
    noRounds: string;
    time: string;
    by: string;
    result: string;
    allOk: string;
    notOk: (n: number) => string;
    found: (n: number) => string;
  };
  hazards: {
    heading: string;
    counts: (open: number, overdue: number) => string;
    state: string;
    which: Record<Which, string>;
    onlyOverdue: string;
    origin: string;
    anyOrigin: string;
    origins: Record<'person' | 'rule', string>;
    unit: string;
    anyUnit: string;
    noUnit: string;
    byUnit: string;
    open: string;
    overdueCol: string;
    empty: string;
    levels: Record<HazardLevel, string>;
    states: Record<HazardState, string>;
    overdue: string;
    late: string;
    deadline: (time: string) => string;
    person: (who: string) => string;
    opened: (time: string) => string;
    ofUnit: (unit: string) => string;
    foundOn: (task: string, period: string) => string;
    byOffice: string;
    escalated: Record<1 | 2, string>;
    details: (id: string) => string;
    steps: string;
    stepKinds: Record<string, string>;
    byHub: string;
    stepPhoto: (n: number) => string;
    plan: string;
    planFields: Record<'goal' | 'measures' | 'funds' | 'people' | 'deadline' | 'safety', string>;
    conditionActive: (c: string) => string;
    conditionEnded: (c: string) => string;
    actions: Record<StepName, string>;
    actionsLabel: (id: string) => string;
    confirm: string;
    discard: string;
    note: string;
    noteOptional: string;
    reason: string;
    noticeUnit: string;
    noticePerson: string;
    noticeDeadline: string;
    photos: string;
    needNote: string;
    needReason: string;
    needPlan: string;
    tooManyPhotos: string;
    photoFailed: (name: string, why: string) => string;
    stepDone: (id: string, action: string, state: string) => string;
    waitCondition: string;
    unitSteps: string;
    reportOpen: string;
  };
  report: {
    heading: string;
    zone: string;
    description: string;
    level: string;
    category: string;
    photos: string;
    submit: string;
    needZone: string;
    needDescription: string;
  };
  assessment: {
    heading: string;
    term: string;
    termHint: string;
    /** A term in the choice of terms; `current`: it holds today. */
    termOption: (name: string, from: string, to: string, current: boolean) => string;
    show: string;
    exportXlsx: string;
    score: string;
    points: (n: number) => string;
    article: string;
    deducted: string;
    cause: string;
    links: string;
    entered: string;
    enteredYes: string;
    noDeductions: string;
    noUnits: string;
    ofTerm: (term: string) => string;
  };
  /** The program's figures in the statistics view (programfigurewords.ts). */
  figures: FigureWords;
  /** The register's four-colour map of the zones. */
  zoneMap: ZoneMapWords;
}

export interface InspectWords {
  heading: string;
  waiting: (n: number) => string;
  allSent: string;
  sendNow: string;
  sending: string;
  offline: string;
  notStored: string;
  refused: string;
  dismiss: (label: string) => string;
  sent: (label: string) => string;
  refusedOne: (label: string) => string;
  today: string;
  noneDue: string;
  doneHeading: string;
  start: (task: string) => string;
  waitingToSend: string;
  roundOf: (task: string) => string;
  itemsLegend: string;
  ok: string;
  hazard: string;
  note: string;
  hazardNote: string;
  level: string;
  photo: string;
  photos: (n: number) => string;
  removePhoto: (n: number) => string;
  submit: string;
  back: string;
  needTick: (item: string) => string;
  needHazardNote: (item: string) => string;
  saved: (label: string) => string;
  reportOpen: string;
  reportClose: string;
  /** Why a viewer has no buttons here. */
  viewOnly: string;
  kinds: Record<'round' | 'report', string>;
}

const zhCategories: Record<string, string> = {
  fire: '火灾',
  electrical: '触电',
  chemical: '危化品',
  special_equipment: '特种设备',
  traffic: '交通',
  crowd: '人员聚集',
  gas: '燃气',
  structure: '建筑结构',
  security: '治安',
  other: '其他',
};

const enCategories: Record<string, string> = {
  fire: 'Fire',
  electrical: 'Electric shock',
  chemical: 'Hazardous chemicals',
  special_equipment: 'Special equipment',
  traffic: 'Traffic',
  crowd: 'Crowds',
  gas: 'Gas',
  structure: 'Building structure',
  security: 'Public security',
  other: 'Other',
};

const zhSteps: Record<string, string> = {
  'hazard.opened': '通报',
  'hazard.fixed': '即查即改',
  'hazard.notified': '下发整改通知',
  'hazard.planned': '制定整改方案',
  'hazard.started': '开始整改',
  'hazard.progress': '进度反馈',
  'hazard.submitted': '提交验收',
  'hazard.accepted': '验收通过（销号）',
  'hazard.rejected': '验收不通过',
  'hazard.cancelled': '撤销',
  'hazard.overdue': '逾期升级',
};

const enSteps: Record<string, string> = {
  'hazard.opened': 'Reported',
  'hazard.fixed': 'Fixed at once',
  'hazard.notified': 'Notice issued',
  'hazard.planned': 'Treatment plan',
  'hazard.started': 'Rectification started',
  'hazard.progress': 'Progress',
  'hazard.submitted': 'Submitted for acceptance',
  'hazard.accepted': 'Accepted (closed)',
  'hazard.rejected': 'Not accepted',
  'hazard.cancelled': 'Cancelled',
  'hazard.overdue': 'Escalated as overdue',
};

export const programZh: ProgramWords = {
  heading: '双重预防',
  sections: '双重预防栏目',
  tabs: { register: '风险清单', rounds: '巡查任务', hazards: '隐患治理', assessment: '考核评分' },
  categories: zhCategories,
  figures: figuresZh,
  zoneMap: zoneMapZh,
  register: {
    heading: '风险分级管控',
    level: '风险等级',
    anyLevel: '全部等级',
    unassessed: '未评价',
    onlyReviewOverdue: '只看评审逾期',
    empty: '没有风险点。',
    unit: '责任单位',
    assessment: '风险评价',
    lec: (l, e, c, d) => `LEC 法：L ${l} × E ${e} × C ${c} = D ${d}`,
    matrix: (l, s, r) => `风险矩阵：L ${l} × S ${s} = R ${r}`,
    sources: '危险源',
    noSources: '未识别危险源',
    mayCause: (what) => `可能导致：${what}`,
    measures: '管控措施',
    noMeasures: '未制定管控措施',
    measureKinds: { engineering: '工程技术', management: '管理', training: '培训教育', ppe: '个体防护', emergency: '应急处置' },
    responsible: (who) => `责任：${who}`,
    devices: '监测设备',
    reviewDue: (time) => `下次评审 ${time}`,
    reviewOverdue: (time) => `评审已逾期（应于 ${time}）`,
    review: (name) => `记录评审 ${name}`,
    reviewed: (name) => `已记录 ${name} 的评审`,
    points: (n) => `${n} 个风险点`,
  },
  lists: {
    heading: '六项清单',
    names: {
      'risk-points': '风险点清单',
      'risk-levels': '风险等级清单',
      'hazard-sources': '危险源清单',
      'inspection-items': '隐患排查项目清单',
      'rectification-plans': '隐患治理计划清单',
      'reported-hazards': '上报隐患统计清单',
    },
    download: (list, format) => `下载${list}（${format}）`,
    importHeading: '导入清单',
    importList: '导入到',
    importFile: '表格文件（XLSX 或 CSV）',
    importHint: '每一行都先检查；有一处错误，整个文件都不保存。',
    import: '导入',
    needFile: '请选择要导入的文件。',
    imported: (n) => `已导入 ${n} 个风险点。`,
    importFailed: '未导入，表格有以下问题：',
    safetyOnly: '导入清单需要安全员角色。',
  },
  rounds: {
    heading: '隐患排查（巡查）',
    due: '本期待巡查',
    noneDue: '本期巡查都已完成。',
    tasks: '全部巡查任务',
    noTasks: '没有巡查任务。',
    task: '任务',
    point: '风险点',
    zone: '区域',
    every: '频次',
    unit: '责任单位',
    period: '本期',
    state: '状态',
    frequencies: { daily: '每日', weekly: '每周', monthly: '每月', term: '每学期' },
    owed: '待巡查',
    done: (round) => `已完成（${round}）`,
    noPeriod: '不在学期内',
    missed: '漏检记录',
    noMissed: '没有漏检。',
    dueBy: '应完成于',
    recent: '最近巡查记录',
    noRounds: '还没有巡查记录。',
    time: '时间',
    by: '巡查人',
    result: '结果',
    allOk: '全部正常',
    notOk: (n) => `${n} 项异常`,
    found: (n) => `发现隐患 ${n} 项`,
  },
  hazards: {
    heading: '隐患排查治理',
    counts: (open, overdue) => `未销号 ${open} 项 · 逾期 ${overdue} 项`,
    state: '状态',
    which: { open: '未销号', closed: '已销号或撤销', all: '全部' },
    onlyOverdue: '只看逾期',
    origin: '来源',
    anyOrigin: '全部来源',
    origins: { person: '人工上报', rule: '设备规则' },
    unit: '责任单位',
    anyUnit: '全部单位',
    noUnit: '未定单位',
    byUnit: '各单位隐患',
    open: '未销号',
    overdueCol: '逾期',
    empty: '没有隐患。',
    levels: { general: '一般隐患', major: '重大隐患' },
    states: {
      reported: '已通报',
      notified: '已下发整改通知',
      rectifying: '整改中',
      submitted: '待验收',
      closed: '已销号',
      cancelled: '已撤销',
    },
    overdue: '逾期',
    late: '超期',
    deadline: (time) => `整改期限 ${time}`,
    person: (who) => `责任人 ${who}`,
    opened: (time) => `通报于 ${time}`,
    ofUnit: (unit) => `责任单位 ${unit}`,
    foundOn: (task, period) => `巡查发现：${task}（${period}）`,
    byOffice: '领导小组办公室发现',
    escalated: { 1: '已逾期上报单位负责人', 2: '已逾期上报领导小组办公室' },
    details: (id) => `详情 ${id}`,
    steps: '处理过程',
    stepKinds: zhSteps,
    byHub: '系统',
    stepPhoto: (n) => `处理照片 ${n}`,
    plan: '整改方案',
    planFields: {
      goal: '目标任务',
      measures: '方法措施',
      funds: '经费物资',
      people: '机构人员',
      deadline: '时限',
      safety: '安全措施及应急处置',
    },
    conditionActive: (c) => `设备状态仍未恢复：${c}`,
    conditionEnded: (c) => `设备状态已恢复：${c}`,
    actions: {
      fix: '即查即改',
      notice: '下发整改通知',
      plan: '整改方案',
      start: '开始整改',
      progress: '反馈进度',
      submit: '提交验收',
      accept: '验收通过',
      reject: '验收不通过',
      cancel: '撤销隐患',
    },
    actionsLabel: (id) => `${id} 的处理`,
    confirm: '确认',
    discard: '放弃',
    note: '说明',
    noteOptional: '说明（可不填）',
    reason: '撤销原因',
    noticeUnit: '整改单位（不填为隐患所属单位）',
    noticePerson: '责任人',
    noticeDeadline: '整改期限（不填按级别默认）',
    photos: '照片（最多 6 张）',
    needNote: '请填写说明。',
    needReason: '请填写撤销原因。',
    needPlan: '整改方案的每一项都要填写，时限为日期。',
    tooManyPhotos: '最多 6 张照片。',
    photoFailed: (name, why) => `无法使用照片 ${name}：${why}`,
    stepDone: (id, action, state) => `${id}：${action}已记录，当前状态：${state}`,
    waitCondition: '设备状态恢复之前不能即查即改或验收。',
    unitSteps: '整改各步骤由隐患所属单位（或其上级单位）的人员或安全员执行；下发整改通知、验收和撤销由安全员执行，重大隐患由领导小组办公室验收。',
    reportOpen: '上报隐患',
  },
  report: {
    heading: '上报隐患',
    zone: '隐患区域',
    description: '隐患描述',
    level: '隐患级别',
    category: '隐患类别',
    photos: '隐患照片',
    submit: '提交上报',
    needZone: '请选择区域。',
    needDescription: '请描述隐患。',
  },
  assessment: {
    heading: '双重预防考核',
    term: '学期',
    termHint: '学期编号（hub.toml 的 [[program.terms]]）；不填为当前学期。',
    termOption: (name, from, to, current) => `${name}（${from} 至 ${to}）${current ? ' · 当前学期' : ''}`,
    show: '查询',
    exportXlsx: '导出 XLSX',
    score: '得分',
    points: (n) => `${n} 分`,
    article: '条款',
    deducted: '扣分',
    cause: '原因',
    links: '依据',
    entered: '录入',
    enteredYes: '人工录入',
    noDeductions: '本学期没有扣分。',
    noUnits: '没有可查看的单位。',
    ofTerm: (term) => `学期 ${term}`,
  },
};

export const programEn: ProgramWords = {
  heading: 'Dual prevention',
  sections: 'Dual prevention sections',
  tabs: { register: 'Risk register', rounds: 'Inspections', hazards: 'Hazards', assessment: 'Assessment' },
  categories: enCategories,
  figures: figuresEn,
  zoneMap: zoneMapEn,
  register: {
    heading: 'Risk register (graded control)',
    level: 'Risk level',
    anyLevel: 'Every level',
    unassessed: 'Not assessed',
    onlyReviewOverdue: 'Only overdue reviews',
    empty: 'No risk points.',
    unit: 'Unit',
    assessment: 'Assessment',
    lec: (l, e, c, d) => `LEC: L ${l} × E ${e} × C ${c} = D ${d}`,
    matrix: (l, s, r) => `Risk matrix: L ${l} × S ${s} = R ${r}`,
    sources: 'Hazard sources',
    noSources: 'No hazard sources identified',
    mayCause: (what) => `may cause: ${what}`,
    measures: 'Control measures',
    noMeasures: 'No control measures',
    measureKinds: { engineering: 'Engineering', management: 'Management', training: 'Training', ppe: 'PPE', emergency: 'Emergency' },
    responsible: (who) => `responsible: ${who}`,
    devices: 'Watching devices',
    reviewDue: (time) => `Next review ${time}`,
    reviewOverdue: (time) => `Review overdue (due ${time})`,
    review: (name) => `Record review of ${name}`,
    reviewed: (name) => `Review of ${name} recorded`,
    points: (n) => `${n} risk point${n === 1 ? '' : 's'}`,
  },
  lists: {
    heading: 'The six lists',
    names: {
      'risk-points': 'Risk points',
      'risk-levels': 'Risk levels',
      'hazard-sources': 'Hazard sources',
      'inspection-items': 'Inspection items',
      'rectification-plans': 'Rectification plans',
      'reported-hazards': 'Reported hazards',
    },
    download: (list, format) => `Download ${list} (${format})`,
    importHeading: 'Import a list',
    importList: 'Import into',
    importFile: 'Spreadsheet (XLSX or CSV)',
    importHint: 'Every row is checked first; one fault and nothing in the file is saved.',
    import: 'Import',
    needFile: 'Choose a file to import.',
    imported: (n) => `Imported ${n} risk point${n === 1 ? '' : 's'}.`,
    importFailed: 'Nothing imported; the sheet has these faults:',
    safetyOnly: 'Importing a list needs the safety role.',
  },
  rounds: {
    heading: 'Hazard inspections (rounds)',
    due: 'Due this period',
    noneDue: 'Every round of this period is done.',
    tasks: 'Every inspection task',
    noTasks: 'No inspection tasks.',
    task: 'Task',
    point: 'Risk point',
    zone: 'Zone',
    every: 'Every',
    unit: 'Unit',
    period: 'Period',
    state: 'State',
    frequencies: { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', term: 'Each term' },
    owed: 'Due',
    done: (round) => `Done (${round})`,
    noPeriod: 'Outside the terms',
    missed: 'Missed rounds',
    noMissed: 'No missed rounds.',
    dueBy: 'Due by',
    recent: 'Recent rounds',
    noRounds: 'No rounds yet.',
    time: 'Time',
    by: 'By',
    result: 'Result',
    allOk: 'All OK',
    notOk: (n) => `${n} item${n === 1 ? '' : 's'} not OK`,
    found: (n) => `${n} hazard${n === 1 ? '' : 's'} found`,
  },
  hazards: {
    heading: 'Hazard investigation and treatment',
    counts: (open, overdue) => `${open} open · ${overdue} overdue`,
    state: 'State',
    which: { open: 'Open', closed: 'Closed or cancelled', all: 'All' },
    onlyOverdue: 'Only overdue',
    origin: 'Origin',
    anyOrigin: 'Any origin',
    origins: { person: 'Reported by a person', rule: 'Opened by a device rule' },
    unit: 'Unit',
    anyUnit: 'Every unit',
    noUnit: 'No unit yet',
    byUnit: 'Hazards by unit',
    open: 'Open',
    overdueCol: 'Overdue',
    empty: 'No hazards.',
    levels: { general: 'General hazard', major: 'Major hazard' },
    states: {
      reported: 'Reported',
      notified: 'Notice issued',
      rectifying: 'Rectifying',
      submitted: 'Awaiting acceptance',
      closed: 'Closed',
      cancelled: 'Cancelled',
    },
    overdue: 'Overdue',
    late: 'Late',
    deadline: (time) => `Deadline ${time}`,
    person: (who) => `Responsible: ${who}`,
    opened: (time) => `Reported ${time}`,
    ofUnit: (unit) => `Unit ${unit}`,
    foundOn: (task, period) => `Found on round ${task} (${period})`,
    byOffice: 'Found by the program office',
    escalated: { 1: 'Overdue: sent to the unit head', 2: 'Overdue: sent to the program office' },
    details: (id) => `Details ${id}`,
    steps: 'Steps',
    stepKinds: enSteps,
    byHub: 'the hub',
    stepPhoto: (n) => `Photo ${n} of the step`,
    plan: 'Treatment plan',
    planFields: {
      goal: 'Goal',
      measures: 'Methods and measures',
      funds: 'Funds and materials',
      people: 'Organisation and people',
      deadline: 'Time limit',
      safety: 'Safety and emergency measures',
    },
    conditionActive: (c) => `The device condition still holds: ${c}`,
    conditionEnded: (c) => `The device condition has ended: ${c}`,
    actions: {
      fix: 'Fix at once',
      notice: 'Issue notice',
      plan: 'Treatment plan',
      start: 'Start rectification',
      progress: 'Report progress',
      submit: 'Submit for acceptance',
      accept: 'Accept',
      reject: 'Reject',
      cancel: 'Cancel hazard',
    },
    actionsLabel: (id) => `Steps for ${id}`,
    confirm: 'Confirm',
    discard: 'Discard',
    note: 'Note',
    noteOptional: 'Note (optional)',
    reason: 'Why it is cancelled',
    noticeUnit: 'Unit to fix it (blank: the hazard\'s)',
    noticePerson: 'Person responsible',
    noticeDeadline: 'Deadline (blank: by level)',
    photos: 'Photos (at most 6)',
    needNote: 'Write a note.',
    needReason: 'Say why it is cancelled.',
    needPlan: 'Fill in every part of the plan; the time limit is a date.',
    tooManyPhotos: 'At most 6 photos.',
    photoFailed: (name, why) => `Cannot use the photo ${name}: ${why}`,
    stepDone: (id, action, state) => `${id}: ${action} recorded; it is now: ${state}`,
    waitCondition: 'It cannot be fixed at once or accepted until the device condition ends.',
    unitSteps:
      'The rectification steps are for the people of the hazard\'s unit (or a unit above it) and safety officers; notices, acceptance and cancelling for safety officers; a major hazard is accepted by the program office.',
    reportOpen: 'Report a hazard',
  },
  report: {
    heading: 'Report a hazard',
    zone: 'Zone of the hazard',
    description: 'Description of the hazard',
    level: 'Hazard level',
    category: 'Hazard category',
    photos: 'Photos of the hazard',
    submit: 'Send report',
    needZone: 'Choose the zone.',
    needDescription: 'Describe the hazard.',
  },
  assessment: {
    heading: 'Dual prevention assessment',
    term: 'Term',
    termHint: 'The term\'s id ([[program.terms]] in hub.toml); blank for the current term.',
    termOption: (name, from, to, current) => `${name} (${from} to ${to})${current ? ' · current term' : ''}`,
    show: 'Show',
    exportXlsx: 'Export XLSX',
    score: 'Score',
    points: (n) => `${n} point${n === 1 || n === -1 ? '' : 's'}`,
    article: 'Article',
    deducted: 'Deducted',
    cause: 'Cause',
    links: 'Evidence',
    entered: 'Entered',
    enteredYes: 'By the office',
    noDeductions: 'Nothing deducted this term.',
    noUnits: 'No unit to show.',
    ofTerm: (term) => `Term ${term}`,
  },
};

export const inspectZh: InspectWords = {
  heading: '现场巡查',
  waiting: (n) => `${n} 待发送`,
  allSent: '全部已发送',
  sendNow: '立即发送',
  sending: '正在发送…',
  offline: '暂时连不上中心：记录已保存在手机上，联网后自动发送。',
  notStored: '手机存储已满：待发送的记录只在本页中，发送完成前请不要关闭页面。',
  refused: '以下记录被中心拒绝，没有保存：',
  dismiss: (label) => `知道了：${label}`,
  sent: (label) => `已提交：${label}`,
  refusedOne: (label) => `未保存：${label}（被中心拒绝）`,
  today: '今日巡查',
  noneDue: '没有待完成的巡查。',
  doneHeading: '本期已完成',
  start: (task) => `开始巡查 ${task}`,
  waitingToSend: '已保存，待发送',
  roundOf: (task) => `巡查：${task}`,
  itemsLegend: '检查项目',
  ok: '正常',
  hazard: '发现隐患',
  note: '备注',
  hazardNote: '隐患描述',
  level: '隐患级别',
  photo: '拍照',
  photos: (n) => `已添加 ${n} 张照片`,
  removePhoto: (n) => `删除第 ${n} 张照片`,
  submit: '提交巡查',
  back: '返回巡查列表',
  needTick: (item) => `请为“${item}”选择正常或发现隐患。`,
  needHazardNote: (item) => `请描述“${item}”发现的隐患。`,
  saved: (label) => `已保存，待发送：${label}`,
  reportOpen: '现场上报隐患',
  reportClose: '收起上报',
  viewOnly: '当前账号只能查看：巡查和上报隐患需要门岗及以上角色。',
  kinds: { round: '巡查', report: '隐患上报' },
};

export const inspectEn: InspectWords = {
  heading: 'On-site inspection',
  waiting: (n) => `${n} waiting to send`,
  allSent: 'Everything sent',
  sendNow: 'Send now',
  sending: 'Sending…',
  offline: 'The hub cannot be reached: kept on this phone, sent when the network is back.',
  notStored: 'This phone\'s storage is full: what waits is in this page only; do not close it until it is sent.',
  refused: 'The hub refused these; they were not recorded:',
  dismiss: (label) => `Dismiss: ${label}`,
  sent: (label) => `Sent: ${label}`,
  refusedOne: (label) => `Not recorded: ${label} (the hub refused it)`,
  today: 'Today\'s rounds',
  noneDue: 'No rounds due.',
  doneHeading: 'Done this period',
  start: (task) => `Start round ${task}`,
  waitingToSend: 'Saved, waiting to send',
  roundOf: (task) => `Round: ${task}`,
  itemsLegend: 'Checklist',
  ok: 'OK',
  hazard: 'Hazard found',
  note: 'Note',
  hazardNote: 'What is wrong',
  level: 'Hazard level',
  photo: 'Take a photo',
  photos: (n) => `${n} photo${n === 1 ? '' : 's'} added`,
  removePhoto: (n) => `Remove photo ${n}`,
  submit: 'Submit round',
  back: 'Back to the rounds',
  needTick: (item) => `Tick “${item}”: OK or hazard found.`,
  needHazardNote: (item) => `Describe the hazard found at “${item}”.`,
  saved: (label) => `Saved, waiting to send: ${label}`,
  reportOpen: 'Report a hazard on the spot',
  reportClose: 'Close the report',
  viewOnly: 'This account may only look: rounds and hazard reports need the guard role or above.',
  kinds: { round: 'Round', report: 'Hazard report' },
};

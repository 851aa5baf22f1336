// The words of the program's figures in the statistics view and of the
// register's four-colour map of the zones, in both languages;
// programwords.ts hangs them under `t.v.program.figures` and
// `t.v.program.zoneMap`. Levels are named by `t.v.map.risk`.

export interface FigureWords {
  heading: string;
  perWeek: string;
  found: string;
  closed: string;
  closeTime: (weeks: number) => string;
  closedCount: string;
  median: string;
  p90: string;
  hours: (h: string) => string;
  minutes: (m: string) => string;
  byUnit: string;
  unit: string;
  open: string;
  overdue: string;
  overdueShare: string;
  noUnit: string;
  noOpen: string;
  pointsByLevel: string;
  level: string;
  count: string;
}

export interface ZoneMapWords {
  heading: string;
  plan: string;
  zones: string;
  fromPoints: string;
  fromConfig: string;
  hint: string;
  showing: (zone: string) => string;
  showAll: string;
}

export const figuresZh: FigureWords = {
  heading: '双重预防',
  perWeek: '每周发现与销号的隐患',
  found: '发现',
  closed: '销号',
  closeTime: (weeks) => `隐患销号用时（近 ${weeks} 周）`,
  closedCount: '已销号隐患',
  median: '中位数',
  p90: '第 90 百分位',
  hours: (h) => `${h} 小时`,
  minutes: (m) => `${m} 分钟`,
  byUnit: '各单位隐患超期占比',
  unit: '单位',
  open: '未销号',
  overdue: '已超期',
  overdueShare: '超期占比',
  noUnit: '尚未指定单位',
  noOpen: '没有未销号的隐患。',
  pointsByLevel: '各等级风险点',
  level: '风险等级',
  count: '风险点数',
};

export const figuresEn: FigureWords = {
  heading: 'Dual prevention',
  perWeek: 'Hazards found and closed per week',
  found: 'Found',
  closed: 'Closed',
  closeTime: (weeks) => `Time to close a hazard (last ${weeks} weeks)`,
  closedCount: 'Hazards closed',
  median: 'Median',
  p90: '90th percentile',
  hours: (h) => `${h} h`,
  minutes: (m) => `${m} min`,
  byUnit: 'Overdue share of open hazards by unit',
  unit: 'Unit',
  open: 'Open',
  overdue: 'Overdue',
  overdueShare: 'Overdue share',
  noUnit: 'No unit yet',
  noOpen: 'No open hazards.',
  pointsByLevel: 'Risk points by level',
  level: 'Risk level',
  count: 'Points',
};

export const zoneMapZh: ZoneMapWords = {
  heading: '区域风险四色图',
  plan: '四色图平面图',
  zones: '各区域风险颜色',
  fromPoints: '按风险点评定',
  fromConfig: '按配置设定',
  hint: '选择一个区域，只看它的风险点。',
  showing: (zone) => `只显示 ${zone} 的风险点`,
  showAll: '显示全部区域',
};

export const zoneMapEn: ZoneMapWords = {
  heading: 'Four-colour risk map of the zones',
  plan: 'Plan in the four risk colours',
  zones: 'Risk colour of each zone',
  fromPoints: 'from its risk points',
  fromConfig: 'from the config',
  hint: 'Choose a zone to show only its risk points.',
  showing: (zone) => `Showing only the risk points of ${zone}`,
  showAll: 'Show every zone',
};

// The page's own words in Chinese and English. The server's messages
// (diagnostics, explanations) come in the language the page asks for.

const STRINGS = {
  title: ["kpi 工作台", "kpi workbench"],
  policy: ["方案", "Policy"],
  save: ["保存", "Save"],
  format: ["格式化", "Format"],
  saved: ["已保存", "Saved"],
  unsaved: ["未保存", "unsaved"],
  checking: ["检查中…", "checking…"],
  clean: ["没有发现问题", "No problems"],
  nErrors: ["{e} 个错误，{w} 个警告", "{e} error(s), {w} warning(s)"],
  line: ["第 {n} 行", "line {n}"],
  help: ["建议", "help"],
  rangeLabel: ["可能的取值范围（check --verbose）", "reachable range (check --verbose)"],
  tabData: ["数据与结果", "Data & results"],
  tabVersions: ["版本", "Versions"],
  records: ["数据文件", "Records"],
  context: ["环境文件（行业数据等）", "Context (industry figures…)"],
  dropRecords: ["把数据文件拖到这里，或点击选择（CSV、Excel、JSON，可多个）", "Drop records files here or click (CSV, Excel, JSON; several allowed)"],
  dropContext: ["把环境文件拖到这里，或点击选择", "Drop the context file here or click"],
  clear: ["清空数据", "Clear data"],
  period: ["考核月份（文件无月份列时）", "Period (for files without one)"],
  fractions: ["百分比列的纯数字按小数读（0.995 = 99.5%）", "Bare numbers in percent columns are fractions"],
  noData: ["拖入数据文件后，这里显示每个人的得分。", "Drop a records file to see everyone's scores."],
  allTeams: ["全部团队", "All teams"],
  team: ["团队", "Team"],
  employee: ["员工", "Employee"],
  periodCol: ["月份", "Period"],
  people: ["{n} 条记录", "{n} record(s)"],
  payroll: ["薪酬合计", "Payroll totals"],
  headcount: ["人数", "Headcount"],
  average: ["平均总分", "Average total"],
  charts: ["图表", "Charts"],
  explain: ["评分明细", "Score sheet"],
  clickRow: ["点击表格中的一行，查看此人的评分明细。", "Click a row to see that person's score sheet."],
  whatif: ["假设分析", "What-if"],
  whatifHint: ["例如 grade = B、total >= 90", "e.g. grade = B, total >= 90"],
  whatifRun: ["需要什么？", "What would it take?"],
  whatifMet: ["已达到目标。", "The target is already met."],
  input: ["输入", "Input"],
  current: ["当前值", "Current"],
  needed: ["需要", "Needed"],
  change: ["变化", "Change"],
  then: ["届时", "then"],
  noEffect: ["不影响结果", "does not affect it"],
  unreachable: ["仅调整此项无法达到", "not reachable by this input alone"],
  export: ["导出", "Export"],
  warnings: ["检查器的警告", "Checker warnings"],
  notices: ["读取数据时的提示", "Notes from reading the data"],
  history: ["此方案的 git 历史", "This policy's git history"],
  noHistory: ["没有 git 历史（文件未提交，或目录不是 git 仓库）。", "No git history (the file is not committed, or the folder is not a git repository)."],
  pickRevision: ["选择一个版本，与编辑器中的方案在已载入的数据上比较。", "Pick a revision to compare with the editor's policy on the loaded data."],
  compare: ["比较", "Compare"],
  diffOld: ["旧版本", "Old"],
  diffNew: ["新版本（编辑器）", "New (editor)"],
  diffRecords: ["{n} 条记录，其中 {c} 条有变化", "{n} record(s), {c} with changes"],
  gradeMoves: ["等级变化", "Grade changes"],
  movers: ["变化最大的人", "Biggest movers"],
  noChanges: ["结果没有变化", "No output changes"],
  output: ["输出", "Output"],
  old: ["旧值", "Old"],
  new: ["新值", "New"],
  delta: ["差额", "Δ"],
  before: ["之前", "Before"],
  after: ["之后", "After"],
  gitDiff: ["保存后的 git diff", "git diff after saving"],
  needData: ["请先在“数据与结果”中拖入数据文件。", "Drop a records file on the data pane first."],
  close: ["关闭", "Close"],
  fixFirst: ["方案有错误，先修正后再计算。", "The policy has errors; fix them to see results."],
  uploadFailed: ["上传失败", "Upload failed"],
  licenses: ["开源许可", "Licences"],
  status: ["状态", "Status"],
};

let current = "zh";

export function setLang(l) {
  current = l === "en" ? "en" : "zh";
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
}

export function lang() {
  return current;
}

export function tr(key, vars = {}) {
  const pair = STRINGS[key];
  let s = pair ? pair[current === "zh" ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

// Every element with data-i18n="key" gets its text; data-i18n-placeholder
// its placeholder.
export function translatePage(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = tr(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = tr(el.dataset.i18nPlaceholder);
  }
  document.title = tr("title");
}

"""The rubric's vocabulary as patterns: the words that the rules in nlu/rules.py look for.

Each list names one idea from shared/triage-rubric.md (scope, "cannot work", physical
signs, a security incident...) in the ways staff type it, Chinese first, English too.
Kept apart from the rules so that the rules read as the rubric's sentences.
"""

from __future__ import annotations

import re


def _words(*words: str) -> re.Pattern[str]:
    # ASCII: "\b" and "\w" are about English words only, so "UPS" in "仓库UPS冒烟" and
    # "server" in "file server上" are words (with Unicode rules, 库 and 上 are letters too).
    return re.compile("|".join(words), re.IGNORECASE | re.ASCII)


# Scope: many people, or a whole place.
SCOPE = _words(
    r"整个",
    r"整层",
    r"整栋",
    r"整片",
    r"全部",
    r"全公司",
    r"全员",
    r"全体",
    r"全楼",
    r"所有人",
    r"所有同事",
    r"所有电脑",
    r"大家",
    r"全都",
    r"全(?=[掉断挂停瘫坏])",
    r"全(?:校|院|所|厂|行|店|司|单位|中心|科室?|网点|年级|处|馆|园区?|场|组)(?!大会|会议|的会|师生大会|通知|范围)",
    r"[一二三四五六七八九十几]+个?部门",
    r"整个部门",
    r"\bwhole\b",
    r"\beveryone\b",
    r"\beverybody\b",
    r"\ball of us\b",
    r"\bnobody\b",
    r"\bnone of (?:us|the|them)\b",
    r"\bevery (?:store|branch|office|site|shop)\b",
    r"\b(?:every|all) (?:users?|staff|employees?|colleagues)\b",
    r"\ball (?:the |our )?(?:stores|branches|offices|sites|shops)",
    r"\bacross the (?:chain|company|office|floor)",
    r"(?:所有|全部|各个?|每个)(?:门店|分店|网点|分公司)",
)

# "Cannot work": something is down, not merely slow or ugly.
CANNOT_WORK = _words(
    r"断网",
    r"没网",
    r"没有网",
    r"上不了",
    r"上不去",
    r"连不上",
    r"登不上",
    r"登不了",
    r"[登连上进]不到",
    r"进不去",
    r"打不开",
    r"用不了",
    r"不能用",
    r"没法工作",
    r"没法办公",
    r"无法工作",
    r"干不了",
    r"访问不了",
    r"投不上",
    r"投不了",
    r"挂了",
    r"宕机",
    r"瘫痪",
    r"停了",
    r"收不到",
    r"发不出",
    r"不能上网",
    r"无法上网",
    r"无法访问",
    r"无法登录",
    r"(?:\b(?:is|are|was|were|went|goes|gone|been)|'s) down\b",
    r"can'?t work",
    r"cannot work",
    r"no internet",
    r"no network",
    r"can'?t (?:log ?in|connect|access)",
    r"can'?t get (?:in|into|on|onto)\b",
    r"can'?t reconnect",
    r"none of us can",
    r"kicked (?:off|out)",
    r"掉线",
    r"cannot (?:log ?in|connect|access|get into)",
    r"[发收登进打用上连开接出]不了",
    r"不进去",
    r"不通(?![知过用顺融])",
    r"干坐着",
    r"没人能(?:干活|工作|用|上网|办公|登)",
    r"[印打]不出(?:来)?",
    r"干等",
    r"停摆",
    r"全停",
    r"没有?权限",
    r"无权限",
    r"权限不足",
    r"拒绝访问",
    r"access (?:is )?denied",
    # a blocking fault on a machine (the rubric's "high": blue screens, crashes, locked)
    r"蓝屏",
    r"死机",
    r"闪退",
    r"blue ?screen",
    r"\bcrash(?:es|ed|ing)?\b",
    r"账号.{0,4}(?:锁|冻结)",
    r"被锁",
    r"account (?:is |got |was |has been )?locked",
    r"locked out",
    r"\b(?:nobody|no one|none of \w+)\b.{0,30}\bcan\b",
    r"\b(?:are|is|all) stuck\b",
)

# "It will not start" (the PC, a laptop, a monitor, a printer).
NO_START = _words(
    r"开不了机",
    r"开不机",
    r"开不开机",
    r"无法开机",
    r"开机没反应",
    r"开机没有反应",
    r"开不起来",
    r"启动不了",
    r"无法启动",
    r"打不开机",
    r"不开机",
    r"按电源键",
    r"按开机键",
    r"进不去系统",
    r"进不了系统",
    r"won'?t (?:start|turn on|boot|power on)",
    r"doesn'?t (?:start|turn on|boot|power on)",
    r"does not (?:start|turn on|boot|power on)",
    r"not (?:starting|turning on|booting)",
    r"卡在(?:开机|启动|logo|LOGO|Windows|windows|徽标)",
    r"stuck (?:on|at) the (?:windows |boot |startup )?(?:logo|screen)",
    r"can'?t get to the desktop",
    r"自动修复",
    r"起不来",
    r"(?:automatic|startup) repair",
)

# Physical signs: no lights/power, smell, noise, smoke, dropped, water.
PHYSICAL_SIGNS = _words(
    r"灯都不亮",
    r"灯不亮",
    r"灯.{0,2}不着",
    r"不亮",
    r"一点反应都没有",
    r"完全没反应",
    r"毫无反应",
    r"风扇(?:也)?不转",
    r"没电",
    r"焦味",
    r"糊味",
    r"烧焦",
    r"烧了",
    r"异味",
    r"冒烟",
    r"烟",
    r"火花",
    r"异响",
    r"响声",
    r"[咔嗒哒嘀滴吱嗡]{2}",
    r"(?:一直|里面|在|不停地?)响",
    r"响个不停",
    r"报警声",
    r"摔",
    r"碰倒",
    r"(?:主机|电脑|机箱|显示器|打印机|笔记本)[^，。,.\s]{0,3}倒(?:了|下)",
    r"掉地上",
    r"掉地",
    r"跌落",
    r"进水",
    r"掉(?:进|到|在)?[^，。,.\s]{0,4}(?:水|茶|汤|咖啡|马桶|河|池)",
    r"泼",
    r"洒",
    r"淋",
    r"浸水",
    r"打雷",
    r"跳闸",
    r"tripp?(?:ed|s) the (?:breaker|power)",
    r"鼓包",
    r"no (?:\w+ )?lights?",
    r"knocked (?:off|over)",
    r"smell",
    r"smok",
    r"noise",
    r"dropped",
    r"fell",
    r"spill",
    r"water",
    r"\bwet\b",
)

# A physical sign said to be absent ("也没有什么异响", "no noises") is no sign.
_SIGN = r"(?:异响|响声|声音|异味|怪味|焦味|味道|烟|摔|进水|淋|磕|noises?|sounds?|smells?|smoke|dropped|wet)"
_NOT = r"(?:没有?|莫得|冒得|无|不|\bno\b|without|\bnot\b)"
_VERB = r"(?:冒|闻到|听到|发出|有|被|been)?"
NEGATED_SIGN = _words(
    # "没有摔没有进水也没怪味", "没冒烟也莫得响声", "no noise or smell": every sign in the
    # list is negated, but "没有声音，冒烟了" still has smoke.
    rf"{_NOT}\s*(?:什么|啥|任何|any)?\s*{_VERB}\s*{_SIGN}"
    rf"(?:\s*(?:或|、|\bor\b|\bnor\b)\s*{_VERB}\s*{_SIGN}"
    rf"|\s*(?:和|，|,|也|\band\b)?\s*{_NOT}\s*{_VERB}\s*{_SIGN})*",
)

# A fault is being reported (strong signs only: a how-to about a paper jam or a full
# mailbox is self-service and stays a how-to).
FAULT = _words(
    r"坏了",
    r"拒绝访问",
    r"密码错误",
    r"弹广告",
    r"弹窗",
    r"弹框",
    r"退信",
    r"蓝屏",
    r"黑屏",
    r"死机",
    r"崩溃",
    r"闪退",
    r"报错",
    r"开不了机",
    r"进不去",
    r"打不开",
    r"连不上",
    r"登不上",
    r"登不了",
    r"上不了网",
    r"断网",
    r"没反应",
    r"中毒",
    r"中了病毒",
    r"用不了",
    r"收不到",
    r"发不出",
    r"\bbroken\b",
    r"\bcrash",
    r"not working",
    r"doesn'?t work",
    r"won'?t (?:open|start|connect)",
    r"can'?t (?:open|connect|log ?in)",
    r"blue ?screen",
    r"不通(?![知过用顺融])",
    r"失败",
    r"[接打发收登进用上连开]不了",
    r"登[录陆]不(?:进去|上)",
    r"没(?:有)?声音",
    r"被锁",
    r"账号.{0,4}(?:锁|冻结)",
    r"account (?:is |got |was |has been )?locked",
    r"locked out",
    r"\bcracked\b",
    r"(?:裂|碎)了",
    r"乱(?:跳|码|了)",
)

# ... and the person asks how to fix it.
FIX_QUESTION = _words(
    r"怎么办",
    r"怎么修",
    r"怎么解决",
    r"如何解决",
    r"怎么处理",
    r"怎么弄",
    r"怎么搞",
    r"咋办",
    r"咋整",
    r"how (?:do|can|to) (?:i |we )?fix",
    r"what (?:should|do) i do",
)

# A service task asked of the engineers ("帮忙提前开个邮箱账号", "please install Visio"):
# the rubric makes it an incident, not a how-to, unless the person asks how to do it.
SERVICE_ASK = _words(
    r"帮我",
    r"帮忙",
    r"(?:^|[，,。；;\s])麻烦",
    r"麻烦(?:你|您|帮|给|工程师|师傅|一下|下|看|过来|安排)",
    r"帮俺",
    r"请(?:你们?|您|工程师|师傅)?(?:帮|给|安排|过来|来)",
    r"给我(?:装|开|配|换|弄|申请|重置|设置)",
    r"给(?:新同事|新人|新员工|他|她)(?:装|开|配|准备|申请|弄)",
    r"安排(?:个|一个)?(?:人|工程师|师傅)",
    r"过来(?:一下|一趟|看看)",
    r"(?:提前|先)(?:把|给|帮|开|准备|建|弄|装)",
    r"(?:开|建|准备|装|配)好",
    r"^(?:please )?(?:install|set ?up|configure|create|prepare|move|clean|back ?up|reset|add|upgrade)\b",
    r"\bplease$",
    r"\bneed (?:\w+ ){0,3}(?:installed|upgraded|set ?up|moved|configured|updated)\b",
    r"\bplease (?:install|set ?up|configure|create|prepare|move|clean|back ?up|reset|add)\b",
    r"\b(?:can|could) you (?:please )?(?:install|set ?up|configure|create|prepare|move|clean|back ?up|reset|add)\b",
)

# Buying: a purchase request names buying, a quote or a recommendation (the rubric's
# "purchase"); without these, "帮我换上/装一下/set up the new scanner" is a service task.
BUYING = _words(
    r"(?<![新刚])买(?![的了好过])",
    r"购",
    r"报价",
    r"报个价",
    r"价格",
    r"价钱",
    r"多少钱",
    r"推荐",
    r"预算",
    r"选型",
    r"方案",
    r"添置",
    r"订",
    r"配(?:一|两|几|[0-9]+|个|台|把|套|新)",
    r"换(?:个|台|一台)?新(?!logo|的?(?:签名|模板|壁纸|背景|版|系统))",
    r"\bquote",
    r"\bprice",
    r"\bcost",
    r"\bbuy",
    r"purchas",
    r"\border",
    r"recommend",
    r"budget",
)

# Asking for something to be bought or replaced with a new one (stricter than BUYING:
# "配置" or "方案" alone are service words too).
BUY_REQUEST = _words(
    r"(?<![新刚])买(?![的了好过])",
    r"采购(?!模块|单|系统|流程|部)",
    r"购买",
    r"代购",
    r"报价",
    r"报个价",
    r"多少钱",
    r"换(?:个|台|一台|部)?新(?!logo|的?(?:签名|模板|壁纸|背景|版|系统))",
    r"\bbuy",
    r"\bquote\b",
    r"purchase",
    r"\border (?:a|an|one|two|some|new|\d)",
)

# The work a service task asks for: install, set up, adjust, move, swap a part in.
SERVICE_WORK = _words(
    r"装",
    r"设置",
    r"配置",
    r"调(?:一下|下|整)",
    r"换上",
    r"接上",
    r"连(?:到|一下|接)",
    r"备份",
    r"迁移",
    r"拷",
    r"back ?up",
    r"migrat",
    r"移(?:到|去|一下|走|位)",
    r"挪",
    r"搬",
    r"升级",
    r"建(?:个|一个|立)",
    r"加(?:一|个|上)",
    r"改(?:一下|下|成)",
    r"\bupgrad",
    r"install",
    r"set ?up",
    r"configure",
    r"connect",
    r"\bmove\b",
)

# ... but a question about how to do it oneself, or a request for the guide, stays a how-to.
HOW_QUESTION = _words(
    r"办法",
    r"有啥",
    r"怎么",
    r"怎样",
    r"如何",
    r"咋",
    r"教(?:我|一下|下)",
    r"步骤",
    r"方法",
    r"流程",
    r"教程",
    r"说明",
    r"指南",
    r"文档",
    r"在哪",
    r"哪里",
    r"哪些",
    r"什么",
    r"\bhow\b",
    r"\bwhat\b",
    r"\bwhere\b",
    r"\bguide\b",
    r"\bsteps?\b",
)

# Doing it oneself: with a how-to question, the person wants the article, not an engineer.
SELF_SERVICE = _words(r"(?:我|俺)?自己(?:能|可以|来|弄|搞|找|动手)?", r"\bby myself\b", r"\bon my own\b", r"\bmyself\b")

# Any question at all: a how-to asks; a report of a fault without one is an incident.
QUESTION = _words(
    r"[?？]",
    r"吗",
    r"呢",
    r"能不能",
    r"可不可以",
    r"可以",
    r"是不是",
    r"谁",
    r"哪",
    r"多少",
    r"多久",
    r"什么",
    r"啥",
    r"流程",
    r"几(?:点|天|时|号)",
    r"\bhow long\b",
    r"\b(?:can i|is there|who|what|when|where|which)\b",
)

# Asking how to do something oneself, strictly (not "流程" as in "流程表单").
HOW_TO = _words(
    r"怎么",
    r"怎样",
    r"如何",
    r"咋",
    r"办法",
    r"有啥",
    r"(?:什么|啥)好?的?(?:方法|办法)",
    r"教(?:我|一下|下)",
    r"\bhow (?:do|can|to|should)\b",
)

# Asking about tickets, their progress or the figures (the rubric's "status").
STATUS_ASK = _words(
    r"单子",
    r"工单",
    r"(?:送修|报修|维修|修|报的|那个|这个)单",
    r"(?:出来|好|完|结|关)了?没",
    r"[接派]单",
    r"(?:我|之前|上次|昨天|前天|刚才|上周|上礼拜).{0,6}报的",
    r"ticket",
    r"进度",
    r"进展",
    r"(?:修|弄|搞|处理|办)(?:好|完)了?(?:吗|没)",
    r"怎么样了",
    r"到哪",
    r"有人(?:处理|跟进|管)",
    r"(?:处理|跟进|安排)(?:了吗|了没|得怎么样)",
    r"多少",
    r"几个",
    r"统计",
    r"报表",
    r"(?:本|这|上)(?:周|月|个月|星期)",
    r"逾期",
    r"超时",
    r"(?:我|之前|上次|昨天|前天|刚才)(?:报|提|提交|申请)的",
    r"编号",
    r"\b(?:status|update on|progress|overdue|how many|this (?:week|month)|last (?:week|month))\b",
    r"#\d",
)

# Dissatisfaction: a delay, a repair that did not hold, a price, plain displeasure.
DISSATISFIED = _words(
    r"投诉",
    r"没人",
    r"还没",
    r"一直没",
    r"几天了",
    r"nobody (?:\w+ )?(?:came|answered|showed|turned up|called)",
    r"closed (?:as resolved|without)",
    r"still (?:not|no)",
    r"you guys",
    r"修了.{0,6}(?:还是|又)",
    r"(?:那么|太|这么)贵",
    r"又坏",
    r"修回来",
    r"刚修",
    r"质量",
    r"太差",
    r"差劲",
    r"不靠谱",
    r"useless",
    r"terrible",
    r"worst",
)

# The service itself: who or what a complaint is about.
SERVICE_PARTY = _words(
    r"工程师",
    r"师傅",
    r"技术员",
    r"你们",
    r"服务",
    r"态度",
    r"technician",
    r"engineer",
    r"support",
    r"service",
)


def grievance(text: str) -> bool:
    return bool(DISSATISFIED.search(text) or SERVICE_PARTY.search(text))


# Adware, pop-ups or a virus on a machine: the rubric's "high" for one machine.
MALWARE = _words(
    r"弹广告", r"广告弹窗", r"一直弹窗", r"中毒", r"病毒", r"流氓软件", r"pop-?up ads", r"adware", r"malware", r"virus"
)

# Slow or laggy: degraded, not stopped (the rubric's "normal"), however many people.
SLOW = _words(
    r"慢",
    r"卡顿",
    r"(?:很|好|太|特别|有点|超级?|越来越)卡(?![纸住死])",
    r"\bslow",
    r"sluggish",
    r"\blag(?:gy|ging)?\b",
    r"好几分钟",
    r"半天才",
    r"takes? (?:ages|forever|about \d+|\d+) ?(?:min|minutes)?",
)

# Stopped, in words CANNOT_WORK does not list (a frozen or crashing program is high
# even if the message also says slow).
STOPPED = _words(r"卡死", r"卡住", r"没响应", r"无响应", r"不动了", r"freez", r"hang", r"not responding")

# Physical damage to a device: the rubric's hardware signs, without "will not start".
DAMAGE = _words(
    r"摔(?:了|坏|碎|裂|到|在)",
    r"掉(?:到)?地上",
    r"进水",
    r"(?:被|淋了?)雨",
    r"泼(?:了|到|在)",
    r"洒(?:了|到|在)",
    r"鼓包",
    r"(?:屏幕?|屏|外壳|壳|转轴)(?:摔)?(?:裂|碎)",
    r"裂(?:了|开|缝)",
    r"碎了",
    r"焦味",
    r"糊味",
    r"烧焦",
    r"冒烟",
    r"风扇.{0,8}(?:响|吵|噪音|声音)(?!正常)",
    r"硬盘.{0,8}(?:异响|[咔嗒哒]{2}|响)",
    r"(?:[咔嗒哒]{2})+[的地]?(?:响|声)",
    r"(?:hdd|disk|drive|硬盘).{0,12}(?:click|grind|异响)",
    r"click ?click",
    r"(?:[左右]键|按键|键盘.{0,4}键|滚轮).{0,8}(?:失灵|坏了|不灵|双击|掉了)",
    r"(?:裁纸刀|切刀|刀片|搓纸轮|卡扣|合页|转轴|纸盒|进纸器)(?:也)?(?:坏|断|裂|掉)",
    r"(?:cutter|roller|tray|hinge|latch|button|key)s? (?:is |are |has |have )?"
    r"(?:broken|snapped|cracked|came off|fell off)",
    r"broken (?:cutter|roller|tray|hinge|latch|button|key)",
    r"(?:cutter|roller|tray|hinge|latch)\b.{0,50}\b(?:is|are) (?:broken|snapped|cracked)",
    r"线.{0,3}破",
    r"破(?:了|损|皮)",
    r"跳闸",
    r"(?:dropped|spilled|cracked|shattered|swollen|burning smell|smoke)",
    r"fan.{0,30}(?:loud|noisy|noise|jet engine)",
    r"(?:loud|noisy) fan",
    r"(?:clicking|grinding) (?:noise|sound|disk|drive)",
)

# Shared infrastructure: its failure stops many people even without a scope word.
SHARED_SYSTEM = _words(
    r"服务器",
    r"机房",
    r"交换机",
    r"\bUPS\b",
    r"存储",
    r"(?<![A-Za-z])NAS(?![A-Za-z])",
    r"domain controller",
    r"域控",
    r"防火墙",
    r"\bserver\b",
    r"\bswitch\b",
)

# The server room's power, cooling or fire: urgent (the rubric's "power or cooling failure
# in the server room"), though smoke or a burning smell alone would read as hardware.
SERVER_ROOM_EMERGENCY = _words(
    r"机房.{0,10}(?:冒烟|焦味|糊味|着火|起火|漏水|进水|停电|断电|跳闸|高温|温度.{0,6}(?:高|报警)|空调.{0,4}(?:坏|停|不制冷))",
    r"server room.{0,30}(?:smoke|burning|fire|flood|water|power|too hot|overheat|cooling|air ?con)",
)

# A security incident: urgent whatever the scope (rubric: ransomware, a suspected
# intrusion, data being lost now, a virus spreading across machines). A virus with pop-ups on one
# machine is not here.
SECURITY = _words(
    r"勒索",
    r"被加密",
    r"被.{0,4}加密",
    r"(?:木马|病毒|virus|trojan|worm).{0,24}(?:还在涨|越来越多|keeps? (?:going up|growing|rising)|and counting)",
    r"加密了",
    r"入侵",
    r"黑客",
    r"被黑",
    r"被篡改",
    r"篡改",
    r"数据在丢",
    r"(?:正在|在)丢(?:数据|文件|记录)",
    r"数据.{0,8}(?:正在|在).{0,6}(?:丢|没(?![有法])|消失|减少|被删)",
    r"一台(?:传|接|染)一台",
    r"一台台(?:传|中|感染)",
    # a hijacked mailbox sending scam mail now (one stolen password alone is "high")
    r"(?:不停|一直|自动|在).{0,8}(?:向|给).{0,10}发.{0,6}(?:诈骗|垃圾|钓鱼|病毒)",
    r"有人在(?:后台|系统|服务器)?.{0,4}(?:改|删|转账|提现)",
    r"不是我们(?:改|删|操作)的",
    r"有人(?:拿|用|盗用)我的?(?:邮箱|账号).{0,6}(?:发|登)",
    r"我(?:根本)?没(?:有)?发(?:过|的)",
    r"比特币",
    r"bitcoin",
    r"赎金",
    r"ransom",
    r"\.locked",
    r"正在被删",
    r"正在.{0,6}删",
    r"deleting .{0,30}(?:right )?now",
    r"(?:病毒|木马|报毒|virus|worm).{0,12}(?:扩散|传染|蔓延|传播|spread)",
    r"(?:病毒|木马|蠕虫).{0,6}(?:在|还在|一直)传",
    r"(?:扩散|传染|蔓延|传播|spread).{0,12}(?:病毒|木马|virus|worm)",
    r"(?:扩散|传染|蔓延|传播|spread(?:ing)? to).{0,10}"
    r"(?:好几台|几台|多台|[两三四五六七八九十几]+台|other (?:pcs|machines|computers))",
    r"(?:好几台|好多台|几台|多台|[两三四五六七八九十几]+台|很多台|一片)(?:电脑|机器|主机)?.{0,6}"
    r"(?:中毒|中招|感染|报毒|病毒|蠕虫|木马)",
    r"(?:several|multiple|many) (?:pcs|machines|computers) (?:are )?infected",
    r"(?:trojan|virus|worm|malware).{0,30}\b(?:\d{1,3}|several|multiple|many|a dozen) (?:pcs|machines|computers)",
    r"ransomware",
    r"intrusion",
    r"hacked",
    r"encrypted",
)

# Systems that many people share: an outage of one of these can be urgent with no
# scope word ("ERP挂了"); one person's PC, printer or remote desktop cannot.
SHARED_SERVICE = _words(
    r"ERP",
    r"POS",
    r"门店系统",
    r"收银系统",
    r"OA",
    r"金蝶",
    r"用友",
    r"U8",
    r"MES",
    r"TMS",
    r"WMS",
    r"HIS",
    r"CRM",
    r"邮件",
    r"邮箱",
    r"e-?mail",
    r"outlook",
    r"网",
    r"掉线",
    r"有线",
    r"无线",
    r"wi-?fi",
    r"internet",
    r"network",
    r"系统",
    r"共享",
    r"停电",
    r"断电",
    r"空调",
    r"VPN",
    r"打卡",
    r"钉钉",
    r"企业微信",
    r"电话",
    r"phone",
    r"database",
    r"数据库",
)

# Several machines or people: not a scope word (a few people who cannot work are
# "high"), but enough that urgent is plausible. Two or three people are "a few".
SEVERAL = _words(
    r"(?:好几|十几|几十|[四五六七八九十]+|[1-9][0-9])(?:台|个人|个同事|人|个部门)",
    r"(?:几|[两三])个部门",
    r"同时",
)

# Everyone else is fine: only this desk is affected, whatever scope word follows.
OTHERS_FINE = _words(
    r"(?:别人|其他人|其他同事|同事|隔壁|隔篱|旁边的?人?)(?:的电脑)?.{0,3}(?:都|全部|全都)?(?:正常|没事|没问题|可以|好好的)",
    r"(?:others|everyone else|other people)(?: are| is)? (?:fine|ok|working)",
)

# Only the writer (or their own machine) is affected.
SINGLE_PERSON = _words(
    r"就我",
    r"只有我",
    r"我一个人",
    r"我自己",
    r"我这台",
    r"我这边",
    r"我的电脑",
    r"我电脑",
    r"我的笔记本",
    r"我笔记本",
    r"别人都",
    r"其他人都",
    r"同事都(?:正常|可以|没事|好)",
    r"my (?:pc|laptop|computer|machine)",
    r"only me",
    r"others are fine",
)

# Said not to block anyone ("annoying but PCs work fine", "不影响使用"): degraded, normal.
WORKS_ANYWAY = _words(
    r"不影响(?:使用|工作|干活|办公|用)",
    r"(?<![人事们他她])(?:还|也)能用",
    r"(?<![人事们他她])(?:还|也)可以用",
    r"凑合(?:能)?用",
    r"(?:but|still) (?:\w+ ){0,2}works? (?:fine|ok)",
    r"(?:pcs?|computers?|machines?|it) (?:still )?works? fine",
    r"(?:still|can still) (?:work|use it)",
)

# A service task asked for, in words SERVICE_ASK does not list ("the team needs a shared
# folder"): work to be done, not a fault.
SERVICE_NEED = _words(
    r"\bneeds? (?:a|an|new|to have|access to)\b",
    r"需要(?:一个|个|开|建|新建|配|装)",
    r"(?:新建|建|开)(?:一个|个)(?:共享|文件夹|账号|邮箱|群)",
)

# Time of day, weekends, rank and urgency words: never change severity.
TIME_AND_RANK = _words(
    r"not (?:urgent|in a hurry)",
    r"不(?:太|是很|用|着)?急",
    r"no rush",
    r"慢慢来",
    r"十万火急",
    r"急急急",
    r"特别急",
    r"非常急",
    r"很急",
    r"急用",
    r"着急",
    r"急着",
    r"急",
    r"赶紧",
    r"马上要",
    r"尽快",
    r"快来人?",
    r"ASAP",
    r"urgent(?:ly)?",
    r"领导要",
    r"领导说",
    r"领导的?",
    r"老板要",
    r"老板说",
    r"老板的?",
    r"总经理的?",
    r"董事长的?",
    r"经理的?",
    r"总监的?",
    r"[王李张刘陈杨赵黄周吴]总的?",
    r"大半夜",
    r"半夜",
    r"凌晨",
    r"晚上",
    r"下班后",
    r"周末",
    r"周六",
    r"周日",
    r"星期天",
    r"节假日",
    r"放假",
    r"[!！]+",
    r"\bboss(?:'s)?\b",
    r"\bCEO(?:'s)?\b",
    r"\btonight\b",
    r"\bweekend\b",
)

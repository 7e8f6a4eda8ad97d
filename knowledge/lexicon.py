"""Words for lexical retrieval: a jieba tokenizer that knows the plan's domain terms, and the
synonyms citizens use for them (电动车 → 新能源汽车). All text is Simplified before it gets here.
"""

from __future__ import annotations

import logging
import re
from functools import cached_property

DOMAIN_WORDS = (
    "节能减排", "节能降碳", "垃圾分类", "生活垃圾", "生活垃圾分类", "挥发性有机物", "新能源汽车",
    "新能源", "清洁能源", "黑臭水体", "能耗双控", "碳达峰", "碳中和", "可回收物", "有害垃圾",
    "厨余垃圾", "其他垃圾", "大件垃圾", "装修垃圾", "城市公交", "充电桩", "充电设施", "生活污水",
    "污水处理", "污水处理率", "治理率", "利用率", "覆盖率", "无害化", "资源化", "秸秆", "畜禽粪污",
    "燃煤锅炉", "蒸吨", "光伏发电", "空气源热泵", "绿色建筑", "装配式建筑", "超低能耗建筑",
    "合同能源管理", "排污权", "用能权", "碳排放权", "碳汇", "林业碳汇", "绿色金融", "绿色信贷",
    "两高项目", "能效标识", "能效标杆", "数据中心", "冷链物流", "公转铁", "公转水", "国六",
    "柴油货车", "岸电", "绿色货运", "快递包装", "农村污水", "农药利用率", "化肥农药", "测土配方",
    "面源污染", "细颗粒物", "氮氧化物", "化学需氧量", "氨氮", "总磷", "乌江", "锦江", "松桃河",
    "㵲阳河", "锰渣", "磷石膏", "电解金属锰", "铁合金", "节约型机关", "公共机构", "能效领跑者",
    "全国节能宣传周", "全国低碳日", "世界环境日", "贵州生态日", "全国生态日", "世界水日",
    "世界地球日", "全民行动", "绿色生活", "绿色出行", "共享单车", "待机能耗", "节能灯", "能效等级",
    "随手拍", "环保举报", "生态环境监督", "污泥", "填埋场", "零填埋", "焚烧发电", "非化石能源",
    "单位地区生产总值", "能耗强度", "重点工程", "清洁取暖", "绿色园区", "循环化改造", "大龙开发区",
    "铜仁高新区", "碧江区", "万山区",
)  # fmt: skip

# Citizen word → words the plan and guides use. Expansion happens on the query only.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "电动车": ("新能源汽车", "新能源", "电动汽车"),
    "gdp": ("地区生产总值", "生产总值"),  # what citizens call it; the plan never says GDP
    "电动汽车": ("新能源汽车", "新能源"),
    "电车": ("新能源汽车", "新能源"),
    "电动": ("新能源", "纯电动"),
    "公交": ("城市公交", "公交车"),
    "公交车": ("城市公交",),
    "巴士": ("公交车", "城市公交"),
    "扔": ("投放",),
    "丢": ("投放",),
    "倒": ("投放",),
    "污水": ("生活污水",),
    "脏水": ("污水", "生活污水"),
    "废水": ("污水",),
    "臭水沟": ("黑臭水体",),
    "臭水": ("黑臭水体",),
    "雾霾": ("大气污染", "细颗粒物"),
    "空气污染": ("大气污染",),
    "异味": ("挥发性有机物",),
    "臭味": ("挥发性有机物", "异味"),
    "油漆味": ("挥发性有机物", "涂装"),
    "省电": ("节能", "节电"),
    "节电": ("节能",),
    "电费": ("电价",),
    "乡下": ("农村",),
    "村里": ("农村",),
    "农村": ("乡村",),
    "光伏": ("光伏发电", "太阳能"),
    "太阳能板": ("光伏发电", "太阳能"),
    "烧煤": ("燃煤", "煤炭"),
    "煤": ("燃煤", "煤炭"),
    "烧秸秆": ("秸秆", "焚烧"),
    "快递盒": ("快递包装",),
    "房子": ("建筑", "住宅"),
    "工厂": ("企业", "工业"),
    "厂子": ("企业", "工业"),
    "河": ("流域", "河道"),
    "举报": ("监督", "随手拍", "12369"),
    "投诉": ("举报", "监督"),
    "目标": ("到2025年",),
    "绿牌": ("新能源汽车",),
    "剩饭": ("厨余垃圾",),
    "废电池": ("有害垃圾", "电池"),
    "过期药": ("有害垃圾", "过期药品"),
    "奶茶杯": ("其他垃圾",),
    "充电": ("充电桩", "充电设施"),
    "共享单车": ("自行车", "骑行"),
    "单车": ("自行车", "骑行"),
    "空调": ("制冷", "空调温度"),
    "热水器": ("家电",),
}
SYNONYM_WEIGHT = 0.6

STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "么",
        "呀",
        "哦",
        "嘛",
        "哈",
        "是",
        "要",
        "会",
        "都",
        "也",
        "就",
        "还",
        "又",
        "我",
        "我们",
        "你",
        "您",
        "他",
        "她",
        "它",
        "他们",
        "在",
        "有",
        "和",
        "与",
        "及",
        "等",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "个",
        "们",
        "能",
        "可以",
        "可",
        "如何",
        "怎么",
        "怎么样",
        "怎样",
        "什么",
        "啥",
        "多少",
        "几",
        "哪",
        "哪些",
        "哪里",
        "哪个",
        "一下",
        "请问",
        "请",
        "想",
        "想问",
        "问",
        "知道",
        "告诉",
        "到",
        "把",
        "被",
        "给",
        "对",
        "对于",
        "为",
        "为了",
        "让",
        "着",
        "过",
        "得",
        "地",
        "之",
        "其",
        "所",
        "以",
        "而",
        "或",
        "或者",
        "如果",
        "因为",
        "所以",
        "但是",
        "但",
        "不",
        "没",
        "没有",
        "吗？",
        "呢？",
        "一",
        "上",
        "下",
        "中",
        "里",
        "里面",
        "现在",
        "今年",
        "以后",
        "将来",
        "咱们",
        "咱",
        "俺",
        "是不是",
        "有没有",
        "会不会",
        "能不能",
        "要不要",
        "应该",
        "需要",
        "该",
        "多",
        "少",
        "很",
        "太",
        "最",
        "更",
        "好",
        "行",
        "嗯",
        "喂",
        "那么",
        "然后",
    ]
)
PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


class Tokenizer:
    """jieba in search mode over Simplified text, with the domain words added."""

    @cached_property
    def _jieba(self):  # type: ignore[no-untyped-def]
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        for word in DOMAIN_WORDS:
            tokenizer.add_word(word, freq=200_000)
        for word in SYNONYMS:
            tokenizer.add_word(word, freq=50_000)
        return tokenizer

    @cached_property
    def _tagger(self):  # type: ignore[no-untyped-def]
        import jieba.posseg

        return jieba.posseg.POSTokenizer(self._jieba)

    def word_frequency(self, word: str) -> int:
        """jieba's dictionary count for `word` (0 when it is no word, only a prefix or unknown)."""
        self._jieba.check_initialized()
        return int(self._jieba.FREQ.get(word) or 0)

    def words(self, text: str) -> list[str]:
        """jieba's plain segmentation (every character kept, in order)."""
        return list(self._jieba.cut(text, HMM=False))

    def place_names(self, text: str) -> list[str]:
        """Words jieba tags as place names (`ns`), for the scope check."""
        return [pair.word for pair in self._tagger.cut(text) if pair.flag == "ns"]

    def tokens(self, text: str) -> list[str]:
        words = self._jieba.cut_for_search(text.lower())
        return [
            w for w in (w.strip() for w in words) if w and w not in STOPWORDS and not PUNCT.match(w)
        ]

    def synonym_groups(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each distinct question word with the corpus words citizens mean by it."""
        return [
            (token, tuple(p for s in SYNONYMS.get(token, ()) for p in self.tokens(s)))
            for token in dict.fromkeys(self.tokens(text))
        ]

    def query_terms(self, text: str) -> dict[str, float]:
        """Query words weighted 1, their citizen-synonym expansions weighted lower."""
        terms: dict[str, float] = {}
        for token, synonyms in self.synonym_groups(text):
            terms[token] = 1.0
            for part in synonyms:
                terms.setdefault(part, SYNONYM_WEIGHT)
        return terms

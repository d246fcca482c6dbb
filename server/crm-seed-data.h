/* crm-seed-data.h: the vocabulary the demo seed builds its records from.
 *
 * Included by the crm-seed-*.c files (static data: each takes what it uses).  Region codes are GB/T 2260 administrative
 * division codes; telephone area codes and the landline lengths are the
 * real ones, so generated numbers look right to people who know them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Regions */

typedef struct
{
  const char *code;          /* GB/T 2260, e.g. "440000" */
  const char *name;          /* "广东省" */
  const char *short_name;    /* "广东" */
  const char *name_en;       /* "Guangdong" */
  const char *slug;          /* for generated logins and e-mail domains */
  gboolean    municipality;  /* its city-level regions are districts */
} SeedProvince;

typedef struct
{
  const char *code;
  const char *name;          /* district name, "天河区" */
  const char *name_en;       /* "Tianhe" */
} SeedDistrict;

typedef struct
{
  guint        province;     /* index into seed_provinces */
  const char  *code;
  const char  *name;         /* "广州市", or "朝阳区" in a municipality */
  const char  *short_name;   /* "广州", "朝阳" */
  const char  *name_en;      /* "Guangzhou", "Chaoyang" */
  const char  *area_code;    /* "020" */
  guint        digits;       /* local landline digits: 7 or 8 */
  guint        weight;       /* relative size of the market */
  SeedDistrict districts[6]; /* for addresses and ID numbers; may be empty */
} SeedCity;

static const SeedProvince seed_provinces[] = {
  { "440000", "广东省", "广东", "Guangdong", "gd", FALSE },
  { "320000", "江苏省", "江苏", "Jiangsu",   "js", FALSE },
  { "330000", "浙江省", "浙江", "Zhejiang",  "zj", FALSE },
  { "510000", "四川省", "四川", "Sichuan",   "sc", FALSE },
  { "420000", "湖北省", "湖北", "Hubei",     "hb", FALSE },
  { "370000", "山东省", "山东", "Shandong",  "sd", FALSE },
  { "110000", "北京市", "北京", "Beijing",   "bj", TRUE },
  { "310000", "上海市", "上海", "Shanghai",  "sh", TRUE },
  { "120000", "天津市", "天津", "Tianjin",   "tj", TRUE },
  { "500000", "重庆市", "重庆", "Chongqing", "cq", TRUE },
  { "350000", "福建省", "福建", "Fujian",    "fj", FALSE },
  { "410000", "河南省", "河南", "Henan",     "ha", FALSE },
  { "430000", "湖南省", "湖南", "Hunan",     "hn", FALSE },
};

static const SeedCity seed_cities[] = {
  /* 广东 */
  { 0, "440100", "广州市", "广州", "Guangzhou", "020", 8, 10,
    { { "440104", "越秀区", "Yuexiu" }, { "440105", "海珠区", "Haizhu" }, { "440106", "天河区", "Tianhe" },
      { "440111", "白云区", "Baiyun" }, { "440112", "黄埔区", "Huangpu" }, { "440113", "番禺区", "Panyu" } } },
  { 0, "440300", "深圳市", "深圳", "Shenzhen", "0755", 8, 11,
    { { "440303", "罗湖区", "Luohu" }, { "440304", "福田区", "Futian" }, { "440305", "南山区", "Nanshan" },
      { "440306", "宝安区", "Bao'an" }, { "440307", "龙岗区", "Longgang" }, { "440309", "龙华区", "Longhua" } } },
  { 0, "440600", "佛山市", "佛山", "Foshan", "0757", 8, 5,
    { { "440604", "禅城区", "Chancheng" }, { "440605", "南海区", "Nanhai" }, { "440606", "顺德区", "Shunde" } } },
  { 0, "441900", "东莞市", "东莞", "Dongguan", "0769", 8, 5,
    { { "441900", "南城街道", "Nancheng" }, { "441900", "东城街道", "Dongcheng" }, { "441900", "长安镇", "Chang'an" },
      { "441900", "虎门镇", "Humen" }, { "441900", "松山湖", "Songshan Lake" } } },
  { 0, "440400", "珠海市", "珠海", "Zhuhai", "0756", 7, 2,
    { { "440402", "香洲区", "Xiangzhou" }, { "440403", "斗门区", "Doumen" }, { "440404", "金湾区", "Jinwan" } } },
  { 0, "441300", "惠州市", "惠州", "Huizhou", "0752", 7, 2,
    { { "441302", "惠城区", "Huicheng" }, { "441303", "惠阳区", "Huiyang" } } },
  { 0, "442000", "中山市", "中山", "Zhongshan", "0760", 8, 2,
    { { "442000", "石岐街道", "Shiqi" }, { "442000", "东区街道", "East District" }, { "442000", "火炬开发区", "Torch Development Zone" } } },
  { 0, "440500", "汕头市", "汕头", "Shantou", "0754", 8, 2,
    { { "440507", "龙湖区", "Longhu" }, { "440511", "金平区", "Jinping" } } },
  /* 江苏 */
  { 1, "320100", "南京市", "南京", "Nanjing", "025", 8, 7,
    { { "320102", "玄武区", "Xuanwu" }, { "320104", "秦淮区", "Qinhuai" }, { "320105", "建邺区", "Jianye" },
      { "320106", "鼓楼区", "Gulou" }, { "320115", "江宁区", "Jiangning" } } },
  { 1, "320500", "苏州市", "苏州", "Suzhou", "0512", 8, 8,
    { { "320508", "姑苏区", "Gusu" }, { "320505", "虎丘区", "Huqiu" }, { "320506", "吴中区", "Wuzhong" },
      { "320507", "相城区", "Xiangcheng" }, { "320571", "苏州工业园区", "Suzhou Industrial Park" } } },
  { 1, "320200", "无锡市", "无锡", "Wuxi", "0510", 8, 4,
    { { "320213", "梁溪区", "Liangxi" }, { "320211", "滨湖区", "Binhu" }, { "320214", "新吴区", "Xinwu" },
      { "320205", "锡山区", "Xishan" } } },
  { 1, "320400", "常州市", "常州", "Changzhou", "0519", 8, 3,
    { { "320402", "天宁区", "Tianning" }, { "320404", "钟楼区", "Zhonglou" }, { "320411", "新北区", "Xinbei" },
      { "320412", "武进区", "Wujin" } } },
  { 1, "320600", "南通市", "南通", "Nantong", "0513", 8, 3,
    { { "320613", "崇川区", "Chongchuan" }, { "320612", "通州区", "Tongzhou" } } },
  { 1, "320300", "徐州市", "徐州", "Xuzhou", "0516", 8, 2,
    { { "320302", "鼓楼区", "Gulou" }, { "320303", "云龙区", "Yunlong" }, { "320311", "泉山区", "Quanshan" } } },
  /* 浙江 */
  { 2, "330100", "杭州市", "杭州", "Hangzhou", "0571", 8, 8,
    { { "330102", "上城区", "Shangcheng" }, { "330105", "拱墅区", "Gongshu" }, { "330106", "西湖区", "Xihu" },
      { "330108", "滨江区", "Binjiang" }, { "330109", "萧山区", "Xiaoshan" }, { "330110", "余杭区", "Yuhang" } } },
  { 2, "330200", "宁波市", "宁波", "Ningbo", "0574", 8, 5,
    { { "330203", "海曙区", "Haishu" }, { "330205", "江北区", "Jiangbei" }, { "330212", "鄞州区", "Yinzhou" },
      { "330206", "北仑区", "Beilun" } } },
  { 2, "330300", "温州市", "温州", "Wenzhou", "0577", 8, 3,
    { { "330302", "鹿城区", "Lucheng" }, { "330303", "龙湾区", "Longwan" }, { "330304", "瓯海区", "Ouhai" } } },
  { 2, "330400", "嘉兴市", "嘉兴", "Jiaxing", "0573", 8, 2,
    { { "330402", "南湖区", "Nanhu" }, { "330411", "秀洲区", "Xiuzhou" } } },
  { 2, "330600", "绍兴市", "绍兴", "Shaoxing", "0575", 8, 2,
    { { "330602", "越城区", "Yuecheng" }, { "330603", "柯桥区", "Keqiao" } } },
  { 2, "330700", "金华市", "金华", "Jinhua", "0579", 8, 2,
    { { "330702", "婺城区", "Wucheng" }, { "330703", "金东区", "Jindong" } } },
  /* 四川 */
  { 3, "510100", "成都市", "成都", "Chengdu", "028", 8, 8,
    { { "510104", "锦江区", "Jinjiang" }, { "510105", "青羊区", "Qingyang" }, { "510106", "金牛区", "Jinniu" },
      { "510107", "武侯区", "Wuhou" }, { "510108", "成华区", "Chenghua" } } },
  { 3, "510700", "绵阳市", "绵阳", "Mianyang", "0816", 7, 1,
    { { "510703", "涪城区", "Fucheng" }, { "510704", "游仙区", "Youxian" } } },
  { 3, "510600", "德阳市", "德阳", "Deyang", "0838", 7, 1,
    { { "510603", "旌阳区", "Jingyang" } } },
  { 3, "511500", "宜宾市", "宜宾", "Yibin", "0831", 7, 1,
    { { "511502", "翠屏区", "Cuiping" }, { "511503", "南溪区", "Nanxi" } } },
  /* 湖北 */
  { 4, "420100", "武汉市", "武汉", "Wuhan", "027", 8, 6,
    { { "420102", "江岸区", "Jiang'an" }, { "420103", "江汉区", "Jianghan" }, { "420104", "硚口区", "Qiaokou" },
      { "420106", "武昌区", "Wuchang" }, { "420111", "洪山区", "Hongshan" } } },
  { 4, "420500", "宜昌市", "宜昌", "Yichang", "0717", 7, 1,
    { { "420502", "西陵区", "Xiling" }, { "420503", "伍家岗区", "Wujiagang" } } },
  { 4, "420600", "襄阳市", "襄阳", "Xiangyang", "0710", 7, 1,
    { { "420602", "襄城区", "Xiangcheng" }, { "420606", "樊城区", "Fancheng" } } },
  /* 山东 */
  { 5, "370100", "济南市", "济南", "Jinan", "0531", 8, 4,
    { { "370102", "历下区", "Lixia" }, { "370103", "市中区", "Shizhong" }, { "370104", "槐荫区", "Huaiyin" },
      { "370112", "历城区", "Licheng" } } },
  { 5, "370200", "青岛市", "青岛", "Qingdao", "0532", 8, 5,
    { { "370202", "市南区", "Shinan" }, { "370203", "市北区", "Shibei" }, { "370212", "崂山区", "Laoshan" },
      { "370211", "黄岛区", "Huangdao" } } },
  { 5, "370600", "烟台市", "烟台", "Yantai", "0535", 7, 2,
    { { "370602", "芝罘区", "Zhifu" }, { "370613", "莱山区", "Laishan" } } },
  { 5, "370700", "潍坊市", "潍坊", "Weifang", "0536", 7, 2,
    { { "370702", "潍城区", "Weicheng" }, { "370705", "奎文区", "Kuiwen" } } },
  /* 北京: city-level regions are districts */
  { 6, "110105", "朝阳区", "朝阳", "Chaoyang", "010", 8, 4, { { NULL } } },
  { 6, "110108", "海淀区", "海淀", "Haidian", "010", 8, 4, { { NULL } } },
  { 6, "110101", "东城区", "东城", "Dongcheng", "010", 8, 2, { { NULL } } },
  { 6, "110102", "西城区", "西城", "Xicheng", "010", 8, 2, { { NULL } } },
  { 6, "110106", "丰台区", "丰台", "Fengtai", "010", 8, 2, { { NULL } } },
  /* 上海 */
  { 7, "310115", "浦东新区", "浦东", "Pudong", "021", 8, 5, { { NULL } } },
  { 7, "310101", "黄浦区", "黄浦", "Huangpu", "021", 8, 2, { { NULL } } },
  { 7, "310104", "徐汇区", "徐汇", "Xuhui", "021", 8, 3, { { NULL } } },
  { 7, "310106", "静安区", "静安", "Jing'an", "021", 8, 2, { { NULL } } },
  { 7, "310105", "长宁区", "长宁", "Changning", "021", 8, 2, { { NULL } } },
  /* 天津 */
  { 8, "120101", "和平区", "和平", "Heping", "022", 8, 1, { { NULL } } },
  { 8, "120103", "河西区", "河西", "Hexi", "022", 8, 1, { { NULL } } },
  { 8, "120104", "南开区", "南开", "Nankai", "022", 8, 1, { { NULL } } },
  { 8, "120116", "滨海新区", "滨海", "Binhai", "022", 8, 2, { { NULL } } },
  /* 重庆 */
  { 9, "500103", "渝中区", "渝中", "Yuzhong", "023", 8, 2, { { NULL } } },
  { 9, "500105", "江北区", "江北", "Jiangbei", "023", 8, 1, { { NULL } } },
  { 9, "500108", "南岸区", "南岸", "Nan'an", "023", 8, 1, { { NULL } } },
  { 9, "500112", "渝北区", "渝北", "Yubei", "023", 8, 2, { { NULL } } },
  /* 福建 */
  { 10, "350100", "福州市", "福州", "Fuzhou", "0591", 8, 3,
    { { "350102", "鼓楼区", "Gulou" }, { "350103", "台江区", "Taijiang" }, { "350104", "仓山区", "Cangshan" } } },
  { 10, "350200", "厦门市", "厦门", "Xiamen", "0592", 7, 3,
    { { "350203", "思明区", "Siming" }, { "350206", "湖里区", "Huli" } } },
  { 10, "350500", "泉州市", "泉州", "Quanzhou", "0595", 8, 2,
    { { "350502", "鲤城区", "Licheng" }, { "350503", "丰泽区", "Fengze" } } },
  /* 河南 */
  { 11, "410100", "郑州市", "郑州", "Zhengzhou", "0371", 8, 4,
    { { "410102", "中原区", "Zhongyuan" }, { "410103", "二七区", "Erqi" }, { "410105", "金水区", "Jinshui" },
      { "410104", "管城回族区", "Guancheng" } } },
  { 11, "410300", "洛阳市", "洛阳", "Luoyang", "0379", 8, 1,
    { { "410303", "西工区", "Xigong" }, { "410311", "洛龙区", "Luolong" } } },
  /* 湖南 */
  { 12, "430100", "长沙市", "长沙", "Changsha", "0731", 8, 4,
    { { "430102", "芙蓉区", "Furong" }, { "430103", "天心区", "Tianxin" }, { "430104", "岳麓区", "Yuelu" },
      { "430105", "开福区", "Kaifu" } } },
  { 12, "430200", "株洲市", "株洲", "Zhuzhou", "0731", 8, 1,
    { { "430211", "天元区", "Tianyuan" }, { "430203", "芦淞区", "Lusong" } } },
};

/* Street names for addresses (generic names every Chinese city has). */
static const char * const seed_roads[] = {
  "人民路", "中山路", "解放路", "建设路", "新华路", "和平路", "长江路", "黄河路", "滨江路", "环城路",
  "科技园路", "工业大道", "创业路", "高新大道", "体育路", "文化路", "学府路", "金融街", "商业街", "世纪大道",
  "花园路", "东风路", "朝阳路", "光明路", "幸福路", "民生路", "振兴路", "迎宾大道", "港湾大道", "软件园路",
};

static const char * const seed_buildings[] = {
  "", "", "", "", "国际大厦", "科技大厦", "金融中心", "商务中心", "创新园", "产业园", "写字楼", "广场",
};

/* ------------------------------------------------------------------ */
/* People */

typedef struct
{
  const char *hanzi;
  const char *pinyin;
} SeedSyllable;

static const SeedSyllable seed_surnames[] = {
  { "王", "wang" }, { "李", "li" }, { "张", "zhang" }, { "刘", "liu" }, { "陈", "chen" }, { "杨", "yang" },
  { "黄", "huang" }, { "赵", "zhao" }, { "吴", "wu" }, { "周", "zhou" }, { "徐", "xu" }, { "孙", "sun" },
  { "马", "ma" }, { "朱", "zhu" }, { "胡", "hu" }, { "郭", "guo" }, { "何", "he" }, { "林", "lin" },
  { "罗", "luo" }, { "高", "gao" }, { "郑", "zheng" }, { "梁", "liang" }, { "谢", "xie" }, { "宋", "song" },
  { "唐", "tang" }, { "许", "xu" }, { "韩", "han" }, { "冯", "feng" }, { "邓", "deng" }, { "曹", "cao" },
  { "彭", "peng" }, { "曾", "zeng" }, { "肖", "xiao" }, { "田", "tian" }, { "董", "dong" }, { "潘", "pan" },
  { "袁", "yuan" }, { "蔡", "cai" }, { "蒋", "jiang" }, { "余", "yu" }, { "于", "yu" }, { "杜", "du" },
  { "叶", "ye" }, { "程", "cheng" }, { "魏", "wei" }, { "苏", "su" }, { "吕", "lv" }, { "丁", "ding" },
  { "任", "ren" }, { "卢", "lu" }, { "姚", "yao" }, { "沈", "shen" }, { "钟", "zhong" }, { "姜", "jiang" },
  { "崔", "cui" }, { "谭", "tan" }, { "陆", "lu" }, { "范", "fan" }, { "汪", "wang" }, { "廖", "liao" },
  { "石", "shi" }, { "金", "jin" }, { "韦", "wei" }, { "贾", "jia" }, { "夏", "xia" }, { "付", "fu" },
  { "方", "fang" }, { "邹", "zou" }, { "熊", "xiong" }, { "白", "bai" }, { "孟", "meng" }, { "秦", "qin" },
  { "邱", "qiu" }, { "侯", "hou" }, { "江", "jiang" }, { "尹", "yin" }, { "薛", "xue" }, { "闫", "yan" },
  { "段", "duan" }, { "雷", "lei" }, { "龙", "long" }, { "黎", "li" }, { "史", "shi" }, { "陶", "tao" },
  { "贺", "he" }, { "毛", "mao" }, { "郝", "hao" }, { "顾", "gu" }, { "龚", "gong" }, { "邵", "shao" },
  { "万", "wan" }, { "覃", "qin" }, { "武", "wu" }, { "钱", "qian" }, { "戴", "dai" }, { "严", "yan" },
  { "欧阳", "ouyang" }, { "莫", "mo" }, { "孔", "kong" }, { "司马", "sima" },
};

static const SeedSyllable seed_given[] = {
  { "伟", "wei" }, { "芳", "fang" }, { "娜", "na" }, { "敏", "min" }, { "静", "jing" }, { "丽", "li" },
  { "强", "qiang" }, { "磊", "lei" }, { "军", "jun" }, { "洋", "yang" }, { "勇", "yong" }, { "艳", "yan" },
  { "杰", "jie" }, { "娟", "juan" }, { "涛", "tao" }, { "明", "ming" }, { "超", "chao" }, { "秀", "xiu" },
  { "霞", "xia" }, { "平", "ping" }, { "刚", "gang" }, { "桂", "gui" }, { "英", "ying" }, { "华", "hua" },
  { "文", "wen" }, { "辉", "hui" }, { "建", "jian" }, { "国", "guo" }, { "玲", "ling" }, { "红", "hong" },
  { "鹏", "peng" }, { "飞", "fei" }, { "斌", "bin" }, { "宇", "yu" }, { "浩", "hao" }, { "凯", "kai" },
  { "健", "jian" }, { "俊", "jun" }, { "帆", "fan" }, { "琳", "lin" }, { "婷", "ting" }, { "雪", "xue" },
  { "倩", "qian" }, { "晨", "chen" }, { "欣", "xin" }, { "怡", "yi" }, { "佳", "jia" }, { "嘉", "jia" },
  { "子", "zi" }, { "涵", "han" }, { "轩", "xuan" }, { "博", "bo" }, { "睿", "rui" }, { "思", "si" },
  { "雨", "yu" }, { "梓", "zi" }, { "一", "yi" }, { "诗", "shi" }, { "晓", "xiao" }, { "志", "zhi" },
  { "海", "hai" }, { "波", "bo" }, { "峰", "feng" }, { "成", "cheng" }, { "东", "dong" }, { "亮", "liang" },
  { "荣", "rong" }, { "慧", "hui" }, { "颖", "ying" }, { "璐", "lu" }, { "琪", "qi" }, { "昊", "hao" },
  { "然", "ran" }, { "泽", "ze" }, { "天", "tian" }, { "瑶", "yao" }, { "楠", "nan" }, { "鑫", "xin" },
  { "蕾", "lei" }, { "岚", "lan" }, { "振", "zhen" }, { "春", "chun" }, { "永", "yong" }, { "新", "xin" },
  { "立", "li" }, { "云", "yun" }, { "翔", "xiang" }, { "婧", "jing" }, { "萌", "meng" }, { "达", "da" },
};

/* Mobile prefixes in use (China Telecom first: the operator's own staff
 * and many of its key accounts carry its numbers). */
static const char * const seed_mobile_prefixes[] = {
  "133", "153", "173", "177", "180", "181", "189", "199", "191",
  "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
  "182", "183", "187", "188", "198", "130", "131", "132", "155", "156", "166", "175", "176", "185", "186",
};

static const char * const seed_titles_government[] = {
  "办公室主任", "信息中心主任", "信息科科长", "副局长", "综合科科长", "网络管理员", "财务科科长", "后勤服务中心主任",
};
static const char * const seed_titles_enterprise[] = {
  "总经理", "副总经理", "IT 主管", "信息部经理", "采购经理", "财务经理", "行政主管", "网络工程师",
  "运维主管", "首席信息官", "办公室主任", "行政经理",
};

/* ------------------------------------------------------------------ */
/* Customers */

typedef enum
{
  IND_GOVERNMENT,
  IND_FINANCE,
  IND_HEALTHCARE,
  IND_EDUCATION,
  IND_MANUFACTURING,
  IND_LOGISTICS,
  IND_TRANSPORT,
  IND_RETAIL,
  IND_HOSPITALITY,
  IND_CONSTRUCTION,
  IND_ENERGY,
  IND_INTERNET,
  IND_MEDIA,
  IND_SERVICES,
  N_INDUSTRIES
} SeedIndustry;

/* The words crm.customers.industry holds; the client translates them. */
static const char * const seed_industry_names[N_INDUSTRIES] = {
  "government", "finance", "healthcare", "education", "manufacturing", "logistics", "transport",
  "retail", "hospitality", "construction", "energy", "internet", "media", "services",
};

/* Brand syllables: two of them make a company's trade name (恒泰, 华盛). */
static const SeedSyllable seed_brand[] = {
  { "华", "Hua" }, { "盛", "Sheng" }, { "鑫", "Xin" }, { "恒", "Heng" }, { "泰", "Tai" }, { "瑞", "Rui" },
  { "达", "Da" }, { "通", "Tong" }, { "宏", "Hong" }, { "远", "Yuan" }, { "博", "Bo" }, { "创", "Chuang" },
  { "金", "Jin" }, { "信", "Xin" }, { "德", "De" }, { "安", "An" }, { "康", "Kang" }, { "美", "Mei" },
  { "佳", "Jia" }, { "新", "Xin" }, { "明", "Ming" }, { "正", "Zheng" }, { "天", "Tian" }, { "海", "Hai" },
  { "中", "Zhong" }, { "宇", "Yu" }, { "嘉", "Jia" }, { "凯", "Kai" }, { "腾", "Teng" }, { "隆", "Long" },
  { "祥", "Xiang" }, { "丰", "Feng" }, { "润", "Run" }, { "汇", "Hui" }, { "永", "Yong" }, { "立", "Li" },
  { "诚", "Cheng" }, { "实", "Shi" }, { "力", "Li" }, { "百", "Bai" }, { "万", "Wan" }, { "亿", "Yi" },
  { "联", "Lian" }, { "合", "He" }, { "益", "Yi" }, { "利", "Li" }, { "源", "Yuan" }, { "鼎", "Ding" },
  { "晟", "Sheng" }, { "昌", "Chang" }, { "启", "Qi" }, { "航", "Hang" }, { "星", "Xing" }, { "辰", "Chen" },
  { "锦", "Jin" }, { "程", "Cheng" }, { "卓", "Zhuo" }, { "越", "Yue" }, { "迅", "Xun" }, { "捷", "Jie" },
  { "优", "You" }, { "智", "Zhi" }, { "慧", "Hui" }, { "云", "Yun" }, { "讯", "Xun" }, { "科", "Ke" },
  { "拓", "Tuo" }, { "维", "Wei" }, { "森", "Sen" }, { "林", "Lin" }, { "蓝", "Lan" }, { "光", "Guang" },
  { "辉", "Hui" }, { "耀", "Yao" }, { "致", "Zhi" }, { "骏", "Jun" }, { "弘", "Hong" }, { "兴", "Xing" },
};

/* What follows the trade name: "网络科技有限公司" → "Network Technology Co., Ltd.". */
typedef struct
{
  const char   *zh;
  const char   *en;
  SeedIndustry  industry;
  guint         weight;
} SeedTrade;

static const SeedTrade seed_trades[] = {
  { "网络科技有限公司",       "Network Technology Co., Ltd.",            IND_INTERNET,      6 },
  { "信息技术有限公司",       "Information Technology Co., Ltd.",        IND_INTERNET,      6 },
  { "软件有限公司",           "Software Co., Ltd.",                      IND_INTERNET,      3 },
  { "数据科技有限公司",       "Data Technology Co., Ltd.",               IND_INTERNET,      2 },
  { "电子商务有限公司",       "E-commerce Co., Ltd.",                    IND_INTERNET,      3 },
  { "电子有限公司",           "Electronics Co., Ltd.",                   IND_MANUFACTURING, 5 },
  { "机械制造有限公司",       "Machinery Manufacturing Co., Ltd.",       IND_MANUFACTURING, 4 },
  { "精密制造有限公司",       "Precision Manufacturing Co., Ltd.",       IND_MANUFACTURING, 2 },
  { "汽车零部件有限公司",     "Auto Parts Co., Ltd.",                    IND_MANUFACTURING, 2 },
  { "新材料有限公司",         "New Materials Co., Ltd.",                 IND_MANUFACTURING, 2 },
  { "塑胶制品有限公司",       "Plastic Products Co., Ltd.",              IND_MANUFACTURING, 2 },
  { "五金制品有限公司",       "Hardware Products Co., Ltd.",             IND_MANUFACTURING, 2 },
  { "服装有限公司",           "Garment Co., Ltd.",                       IND_MANUFACTURING, 2 },
  { "家具有限公司",           "Furniture Co., Ltd.",                     IND_MANUFACTURING, 2 },
  { "食品有限公司",           "Food Co., Ltd.",                          IND_MANUFACTURING, 3 },
  { "化工有限公司",           "Chemical Co., Ltd.",                      IND_MANUFACTURING, 2 },
  { "物流有限公司",           "Logistics Co., Ltd.",                     IND_LOGISTICS,     5 },
  { "供应链管理有限公司",     "Supply Chain Management Co., Ltd.",       IND_LOGISTICS,     3 },
  { "国际货运代理有限公司",   "International Freight Forwarding Co., Ltd.", IND_LOGISTICS,  2 },
  { "仓储服务有限公司",       "Warehousing Services Co., Ltd.",          IND_LOGISTICS,     1 },
  { "商贸有限公司",           "Trading Co., Ltd.",                       IND_RETAIL,        6 },
  { "百货有限公司",           "Department Store Co., Ltd.",              IND_RETAIL,        1 },
  { "连锁超市有限公司",       "Supermarket Chain Co., Ltd.",             IND_RETAIL,        2 },
  { "医药连锁有限公司",       "Pharmacy Chain Co., Ltd.",                IND_RETAIL,        1 },
  { "餐饮管理有限公司",       "Catering Management Co., Ltd.",           IND_HOSPITALITY,   3 },
  { "酒店管理有限公司",       "Hotel Management Co., Ltd.",              IND_HOSPITALITY,   2 },
  { "旅行社有限公司",         "Travel Agency Co., Ltd.",                 IND_HOSPITALITY,   1 },
  { "建设工程有限公司",       "Construction Engineering Co., Ltd.",      IND_CONSTRUCTION,  3 },
  { "房地产开发有限公司",     "Real Estate Development Co., Ltd.",       IND_CONSTRUCTION,  2 },
  { "建筑设计有限公司",       "Architectural Design Co., Ltd.",          IND_CONSTRUCTION,  1 },
  { "物业管理有限公司",       "Property Management Co., Ltd.",           IND_CONSTRUCTION,  2 },
  { "装饰工程有限公司",       "Decoration Engineering Co., Ltd.",        IND_CONSTRUCTION,  2 },
  { "新能源有限公司",         "New Energy Co., Ltd.",                    IND_ENERGY,        2 },
  { "电力工程有限公司",       "Electric Power Engineering Co., Ltd.",    IND_ENERGY,        1 },
  { "光伏科技有限公司",       "Photovoltaic Technology Co., Ltd.",       IND_ENERGY,        1 },
  { "环保科技有限公司",       "Environmental Technology Co., Ltd.",      IND_ENERGY,        2 },
  { "医疗器械有限公司",       "Medical Devices Co., Ltd.",               IND_HEALTHCARE,    2 },
  { "生物科技有限公司",       "Biotechnology Co., Ltd.",                 IND_HEALTHCARE,    2 },
  { "口腔门诊部有限公司",     "Dental Clinic Co., Ltd.",                 IND_HEALTHCARE,    1 },
  { "文化传媒有限公司",       "Culture & Media Co., Ltd.",               IND_MEDIA,         3 },
  { "广告有限公司",           "Advertising Co., Ltd.",                   IND_MEDIA,         2 },
  { "教育科技有限公司",       "Education Technology Co., Ltd.",          IND_EDUCATION,     2 },
  { "职业培训学校有限公司",   "Vocational Training School Co., Ltd.",    IND_EDUCATION,     1 },
  { "企业管理咨询有限公司",   "Management Consulting Co., Ltd.",         IND_SERVICES,      3 },
  { "人力资源服务有限公司",   "Human Resources Services Co., Ltd.",      IND_SERVICES,      2 },
  { "融资租赁有限公司",       "Financial Leasing Co., Ltd.",             IND_FINANCE,       1 },
  { "小额贷款有限公司",       "Microcredit Co., Ltd.",                   IND_FINANCE,       1 },
};

/* Large enterprises: "恒泰集团有限公司", "深圳华盛电子股份有限公司". */
static const SeedTrade seed_groups[] = {
  { "集团有限公司",           "Group Co., Ltd.",                         IND_MANUFACTURING, 3 },
  { "控股集团有限公司",       "Holding Group Co., Ltd.",                 IND_CONSTRUCTION,  1 },
  { "电子股份有限公司",       "Electronics Co., Ltd.",                   IND_MANUFACTURING, 2 },
  { "智能制造股份有限公司",   "Intelligent Manufacturing Co., Ltd.",     IND_MANUFACTURING, 2 },
  { "汽车股份有限公司",       "Automobile Co., Ltd.",                    IND_MANUFACTURING, 1 },
  { "物流集团有限公司",       "Logistics Group Co., Ltd.",               IND_LOGISTICS,     2 },
  { "零售股份有限公司",       "Retail Co., Ltd.",                        IND_RETAIL,        1 },
  { "置业集团有限公司",       "Property Group Co., Ltd.",                IND_CONSTRUCTION,  1 },
  { "能源股份有限公司",       "Energy Co., Ltd.",                        IND_ENERGY,        1 },
  { "科技股份有限公司",       "Technology Co., Ltd.",                    IND_INTERNET,      2 },
  { "医药集团有限公司",       "Pharmaceutical Group Co., Ltd.",          IND_HEALTHCARE,    1 },
};

/* State-owned city enterprises: "广州地铁集团有限公司". */
static const SeedTrade seed_city_soes[] = {
  { "地铁集团有限公司",       "Metro Group Co., Ltd.",                   IND_TRANSPORT,     1 },
  { "公交集团有限公司",       "Public Transport Group Co., Ltd.",        IND_TRANSPORT,     1 },
  { "港务集团有限公司",       "Port Group Co., Ltd.",                    IND_LOGISTICS,     1 },
  { "水务集团有限公司",       "Water Group Co., Ltd.",                   IND_ENERGY,        1 },
  { "燃气集团有限公司",       "Gas Group Co., Ltd.",                     IND_ENERGY,        1 },
  { "城市建设投资集团有限公司", "Urban Construction Investment Group Co., Ltd.", IND_CONSTRUCTION, 1 },
  { "国有资本投资运营有限公司", "State Capital Investment and Operation Co., Ltd.", IND_FINANCE, 1 },
  { "广播电视台",             "Radio and Television Station",            IND_MEDIA,         1 },
  { "日报社",                 "Daily News Agency",                       IND_MEDIA,         1 },
};

typedef struct
{
  const char *zh;
  const char *en;
  const char *short_en;
} SeedBank;

static const SeedBank seed_banks[] = {
  { "中国工商银行",     "Industrial and Commercial Bank of China", "ICBC" },
  { "中国建设银行",     "China Construction Bank",                 "CCB" },
  { "中国银行",         "Bank of China",                           "BOC" },
  { "中国农业银行",     "Agricultural Bank of China",              "ABC" },
  { "交通银行",         "Bank of Communications",                  "BOCOM" },
  { "招商银行",         "China Merchants Bank",                    "CMB" },
  { "中信银行",         "China CITIC Bank",                        "CITIC Bank" },
  { "兴业银行",         "Industrial Bank",                         "CIB" },
  { "浦发银行",         "Shanghai Pudong Development Bank",        "SPDB" },
  { "中国民生银行",     "China Minsheng Bank",                     "CMBC" },
  { "平安银行",         "Ping An Bank",                            "Ping An Bank" },
  { "中国光大银行",     "China Everbright Bank",                   "CEB" },
  { "广发银行",         "China Guangfa Bank",                      "CGB" },
  { "中国邮政储蓄银行", "Postal Savings Bank of China",            "PSBC" },
};

static const SeedBank seed_insurers[] = {
  { "中国人寿保险股份有限公司",   "China Life Insurance Company",            "China Life" },
  { "中国平安财产保险股份有限公司", "Ping An Property & Casualty Insurance", "Ping An P&C" },
  { "中国太平洋人寿保险股份有限公司", "China Pacific Life Insurance",      "CPIC Life" },
  { "中国人民财产保险股份有限公司", "PICC Property and Casualty",          "PICC P&C" },
  { "泰康人寿保险有限责任公司",   "Taikang Life Insurance",                  "Taikang Life" },
};

/* City and district government bureaus. */
typedef struct
{
  const char *zh;
  const char *en;
  gboolean    district_too;  /* districts have one as well */
} SeedBureau;

static const SeedBureau seed_bureaus[] = {
  { "人民政府办公室",             "General Office of the People's Government", TRUE },
  { "发展和改革委员会",           "Development and Reform Commission",         TRUE },
  { "教育局",                     "Education Bureau",                          TRUE },
  { "公安局",                     "Public Security Bureau",                    FALSE },
  { "财政局",                     "Finance Bureau",                            TRUE },
  { "人力资源和社会保障局",       "Human Resources and Social Security Bureau", TRUE },
  { "自然资源局",                 "Natural Resources Bureau",                  FALSE },
  { "生态环境局",                 "Ecology and Environment Bureau",            FALSE },
  { "住房和城乡建设局",           "Housing and Urban-Rural Development Bureau", TRUE },
  { "交通运输局",                 "Transport Bureau",                          TRUE },
  { "水务局",                     "Water Affairs Bureau",                      TRUE },
  { "农业农村局",                 "Agriculture and Rural Affairs Bureau",      TRUE },
  { "商务局",                     "Commerce Bureau",                           TRUE },
  { "文化广电旅游局",             "Culture, Radio, Television and Tourism Bureau", TRUE },
  { "卫生健康委员会",             "Health Commission",                         TRUE },
  { "应急管理局",                 "Emergency Management Bureau",               TRUE },
  { "市场监督管理局",             "Administration for Market Regulation",      TRUE },
  { "统计局",                     "Statistics Bureau",                         TRUE },
  { "医疗保障局",                 "Healthcare Security Administration",        TRUE },
  { "政务服务数据管理局",         "Government Services and Data Administration", TRUE },
  { "城市管理和综合执法局",       "Urban Management and Law Enforcement Bureau", TRUE },
  { "民政局",                     "Civil Affairs Bureau",                      TRUE },
  { "司法局",                     "Justice Bureau",                            TRUE },
  { "审计局",                     "Audit Bureau",                              TRUE },
  { "退役军人事务局",             "Veterans Affairs Bureau",                   TRUE },
  { "住房公积金管理中心",         "Housing Provident Fund Management Center",  FALSE },
  { "中级人民法院",               "Intermediate People's Court",               FALSE },
  { "人民检察院",                 "People's Procuratorate",                    TRUE },
  { "档案馆",                     "Archives",                                  FALSE },
  { "12345 政务服务便民热线中心", "12345 Government Service Hotline Center",   FALSE },
};

/* Public institutions (事业单位): hospitals, schools, service centres.
 * scope: 'c' one per city, 'n' numbered per city (%s is the number),
 * 'd' one per district, 'e' numbered per district, 'r' per district and
 * road (%s is the road).  en is NULL where no English name is used. */
typedef struct
{
  const char   *zh;
  const char   *en;
  SeedIndustry  industry;
  char          scope;
  guint         weight;
  gboolean      organ;       /* a government organ (code 11), not an institution (12) */
} SeedInstitution;

static const SeedInstitution seed_institutions[] = {
  { "第%s人民医院",         "No. %s People's Hospital",                   IND_HEALTHCARE, 'n', 4, FALSE },
  { "中医院",               "Hospital of Traditional Chinese Medicine",   IND_HEALTHCARE, 'c', 1, FALSE },
  { "妇幼保健院",           "Maternal and Child Health Care Hospital",    IND_HEALTHCARE, 'c', 1, FALSE },
  { "疾病预防控制中心",     "Center for Disease Control and Prevention",  IND_HEALTHCARE, 'c', 1, FALSE },
  { "急救医疗指挥中心",     "Emergency Medical Dispatch Center",          IND_HEALTHCARE, 'c', 1, FALSE },
  { "人民医院",             "People's Hospital",                          IND_HEALTHCARE, 'd', 3, FALSE },
  { "社区卫生服务中心",     "Community Health Service Center",            IND_HEALTHCARE, 'd', 2, FALSE },
  { "第%s中学",             "No. %s Middle School",                       IND_EDUCATION,  'n', 5, FALSE },
  { "实验小学",             "Experimental Primary School",                IND_EDUCATION,  'd', 3, FALSE },
  { "实验中学",             "Experimental Middle School",                 IND_EDUCATION,  'd', 2, FALSE },
  { "第%s幼儿园",           "No. %s Kindergarten",                        IND_EDUCATION,  'n', 2, FALSE },
  { "职业技术学院",         "Vocational and Technical College",           IND_EDUCATION,  'c', 1, FALSE },
  { "开放大学",             "Open University",                            IND_EDUCATION,  'c', 1, FALSE },
  { "图书馆",               "Library",                                    IND_GOVERNMENT, 'c', 1, FALSE },
  { "公共资源交易中心",     "Public Resources Trading Center",            IND_GOVERNMENT, 'c', 1, FALSE },
  { "不动产登记中心",       "Real Estate Registration Center",            IND_GOVERNMENT, 'c', 1, FALSE },
  { "政务服务中心",         "Government Service Center",                  IND_GOVERNMENT, 'd', 2, FALSE },
  { "第%s小学",             "No. %s Primary School",                      IND_EDUCATION,  'e', 3, FALSE },
  { "第%s幼儿园",           "No. %s Kindergarten",                        IND_EDUCATION,  'e', 1, FALSE },
  { "%s小学",               NULL,                                         IND_EDUCATION,  'r', 2, FALSE },
  { "%s派出所",             NULL,                                         IND_GOVERNMENT, 'r', 2, TRUE },
  { "%s街道办事处",         NULL,                                         IND_GOVERNMENT, 'r', 2, TRUE },
};

static const char * const seed_chinese_digits[] = {
  "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
};

/* Why customers left: free text an account manager would write. */
static const char * const seed_churn_text_competitor[] = {
  "转网至中国移动，对方报价低约 20%",
  "中国联通提供三年免费提速，客户转网",
  "集团统一采购改选其他运营商",
};
static const char * const seed_churn_text_service[] = {
  "专线多次中断，投诉处理不及时，客户转网",
  "对装机和故障响应速度不满，合同到期未续约",
  "多次投诉账单问题未妥善解决",
};
static const char * const seed_churn_text_arrears[] = {
  "长期欠费停机后销户，欠款转坏账催收",
  "企业经营困难，欠费后申请拆机",
};
static const char * const seed_churn_text_other[] = {
  "企业注销",
  "办公地点迁出本市",
  "业务缩减，取消全部通信业务",
  "合同到期后未续约",
};

/* ------------------------------------------------------------------ */
/* Products */

typedef struct
{
  const char *code;
  const char *category;      /* crm.product_category */
  const char *name;
  const char *short_name;    /* for work-order titles */
  const char *name_en;
  gint64      list_fee;      /* fen per unit per month */
  const char *unit;
  gboolean    active;
  gboolean    usage_based;   /* billed revenue follows the usage index */
  guint       qty[3][2];     /* quantity range per tier: key, major, standard */
  guint       affinity[3];   /* how likely, per kind: government, large, sme */
} SeedProduct;

static const SeedProduct seed_products[] = {
  { "DIA-100M",  "dedicated_line", "互联网专线 100M",          "互联网专线", "Dedicated Internet Access 100 Mbps",  380000, "line", TRUE, FALSE,
    { { 2, 12 }, { 1, 4 }, { 1, 1 } }, { 9, 8, 2 } },
  { "DIA-1G",    "dedicated_line", "互联网专线 1000M",         "互联网专线", "Dedicated Internet Access 1 Gbps",   1800000, "line", TRUE, FALSE,
    { { 1, 4 }, { 1, 2 }, { 1, 1 } }, { 5, 4, 0 } },
  { "MPLS-20M",  "dedicated_line", "数据专线 MPLS-VPN 20M",    "数据专线",   "MPLS VPN 20 Mbps",                    150000, "site", TRUE, FALSE,
    { { 8, 60 }, { 2, 12 }, { 2, 3 } }, { 7, 6, 1 } },
  { "MPLS-100M", "dedicated_line", "数据专线 MPLS-VPN 100M",   "数据专线",   "MPLS VPN 100 Mbps",                   480000, "site", TRUE, FALSE,
    { { 2, 20 }, { 1, 5 }, { 1, 1 } }, { 4, 4, 0 } },
  { "BB-300M",   "broadband",      "企业宽带 300M",            "企业宽带",   "Business Broadband 300 Mbps",          19900, "line", TRUE, FALSE,
    { { 4, 30 }, { 1, 10 }, { 1, 3 } }, { 2, 2, 9 } },
  { "BB-1000M",  "broadband",      "企业宽带 1000M",           "千兆宽带",   "Business Broadband 1 Gbps",            39900, "line", TRUE, FALSE,
    { { 2, 20 }, { 1, 6 }, { 1, 2 } }, { 2, 3, 6 } },
  { "BB-ADSL-4M", "broadband",     "企业 ADSL 4M (停售)",      "ADSL 宽带",  "Business ADSL 4 Mbps (withdrawn)",      8000, "line", FALSE, FALSE,
    { { 1, 1 }, { 1, 1 }, { 1, 1 } }, { 0, 0, 0 } },
  { "FL-DIRECT", "fixed_line",     "固定电话 直线",            "固定电话",   "Fixed Line, Direct",                    2500, "line", TRUE, TRUE,
    { { 40, 600 }, { 10, 120 }, { 2, 12 } }, { 8, 6, 6 } },
  { "FL-CENTREX", "fixed_line",    "IP 虚拟总机 (Centrex)",     "虚拟总机",   "Hosted PBX (IP Centrex) Extension",     1500, "extension", TRUE, TRUE,
    { { 100, 1500 }, { 20, 300 }, { 5, 30 } }, { 4, 5, 2 } },
  { "5G-129",    "mobile_plan",    "政企 5G 套餐 129 元",      "5G 套餐",    "Business 5G Plan 129",                 12900, "line", TRUE, TRUE,
    { { 100, 2500 }, { 20, 300 }, { 2, 25 } }, { 6, 7, 8 } },
  { "5G-199",    "mobile_plan",    "政企 5G 套餐 199 元",      "5G 套餐",    "Business 5G Plan 199",                 19900, "line", TRUE, TRUE,
    { { 50, 1200 }, { 10, 150 }, { 1, 10 } }, { 5, 6, 4 } },
  { "5G-299",    "mobile_plan",    "政企 5G 套餐 299 元",      "5G 套餐",    "Business 5G Plan 299",                 29900, "line", TRUE, TRUE,
    { { 10, 300 }, { 3, 40 }, { 1, 4 } }, { 3, 4, 2 } },
  { "4G-99",     "mobile_plan",    "政企 4G 套餐 99 元 (停售)", "4G 套餐",    "Business 4G Plan 99 (withdrawn)",       9900, "line", FALSE, TRUE,
    { { 1, 1 }, { 1, 1 }, { 1, 1 } }, { 0, 0, 0 } },
  { "IDC-42U",   "idc",            "IDC 标准机柜 42U",         "IDC 机柜",   "Colocation Rack 42U",                 500000, "rack", TRUE, FALSE,
    { { 2, 40 }, { 1, 4 }, { 1, 1 } }, { 3, 5, 1 } },
  { "IDC-BW-100M", "idc",          "IDC 独享带宽 100M",        "IDC 带宽",   "IDC Dedicated Bandwidth 100 Mbps",    300000, "port", TRUE, FALSE,
    { { 1, 10 }, { 1, 3 }, { 1, 1 } }, { 2, 4, 1 } },
  { "ECS-4C8G",  "cloud",          "天翼云 云主机 4核8G",      "云主机",     "Cloud Server 4 vCPU / 8 GB",           60000, "instance", TRUE, FALSE,
    { { 10, 200 }, { 2, 30 }, { 1, 4 } }, { 5, 6, 4 } },
  { "ECS-8C16G", "cloud",          "天翼云 云主机 8核16G",     "云主机",     "Cloud Server 8 vCPU / 16 GB",         115000, "instance", TRUE, FALSE,
    { { 5, 100 }, { 1, 15 }, { 1, 2 } }, { 4, 5, 2 } },
  { "OSS-1T",    "cloud",          "天翼云 对象存储 1TB",      "对象存储",   "Object Storage 1 TB",                  12000, "TB", TRUE, TRUE,
    { { 10, 500 }, { 2, 50 }, { 1, 5 } }, { 3, 4, 2 } },
  { "GOVCLOUD",  "cloud",          "政务云 资源包",            "政务云",     "Government Cloud Resource Package",  2000000, "package", TRUE, FALSE,
    { { 1, 5 }, { 1, 1 }, { 1, 1 } }, { 4, 0, 0 } },
  { "VIDEO",     "cloud",          "天翼视联 云监控",          "云监控",     "Cloud Video Surveillance",              2500, "camera", TRUE, FALSE,
    { { 100, 2000 }, { 20, 300 }, { 4, 40 } }, { 4, 4, 5 } },
  { "IOT-NB",    "iot",            "物联网卡 NB-IoT",          "物联网卡",   "IoT Card NB-IoT",                        500, "card", TRUE, TRUE,
    { { 2000, 50000 }, { 300, 6000 }, { 50, 600 } }, { 2, 4, 2 } },
  { "IOT-4G-30M", "iot",           "物联网卡 4G 30MB/月",      "物联网卡",   "IoT Card 4G 30 MB/month",                800, "card", TRUE, TRUE,
    { { 1000, 30000 }, { 200, 4000 }, { 30, 400 } }, { 2, 4, 2 } },
  { "SMS-10K",   "sms",            "行业短信 1 万条",          "行业短信",   "Business SMS, 10,000 messages",        40000, "package", TRUE, TRUE,
    { { 5, 60 }, { 1, 10 }, { 1, 2 } }, { 4, 4, 3 } },
  { "SMS-100K",  "sms",            "行业短信 10 万条",         "行业短信",   "Business SMS, 100,000 messages",      350000, "package", TRUE, TRUE,
    { { 1, 10 }, { 1, 2 }, { 1, 1 } }, { 3, 3, 0 } },
};

/* ------------------------------------------------------------------ */
/* Activities */

static const char * const seed_subjects_visit[] = {
  "季度拜访", "上门拜访：了解明年信息化规划", "拜访信息中心：5G 专网需求调研", "现场勘查：专线扩容",
  "节日慰问拜访", "续约拜访", "拜访财务部：核对账单", "陪同技术专家上门交流云迁移",
};
static const char * const seed_subjects_call[] = {
  "电话回访：业务使用情况", "电话沟通：账单疑问", "电话邀约：参加政企客户沙龙", "故障处理后回访",
  "新产品推介：天翼云", "电话确认装机时间", "合同到期提醒", "满意度回访",
};
static const char * const seed_subjects_email[] = {
  "发送报价单", "发送月度账单说明", "发送云主机迁移方案", "发送合同续约草案", "发送 5G 专网解决方案",
  "发送发票", "发送服务等级协议 (SLA) 报告",
};
static const char * const seed_subjects_meeting[] = {
  "方案交流会：数字化转型", "合同谈判会议", "季度业务回顾会", "项目启动会", "技术方案评审会",
  "高层互访：战略合作",
};
/* Indexed: 0, 5 complaints; 1 price; 2 leaving; 3 arrears; 4 renewal. */
static const char * const seed_subjects_trouble[] = {
  "客户投诉：专线频繁中断", "客户反映：资费偏高", "客户表示考虑转网", "催缴欠费", "客户要求降价续约",
  "客户投诉：故障处理超时",
};
static const char * const seed_notes_positive[] = {
  "客户对网络稳定性满意，计划明年扩容。", "客户有意向，约下周提交正式方案。", "已确认需求，进入报价阶段。",
  "客户同意续约三年。", "对方信息中心主任对云监控方案很感兴趣。",
};
static const char * const seed_notes_neutral[] = {
  "客户预算收紧，暂缓新项目。", "已约下周再次拜访。", "客户要求提供竞品对比资料。", "等待客户内部审批。",
  "已留资料，客户需内部讨论。",
};
/* Indexed: 0 competitor, 1 faults, 2 not renewing, 3 arrears, 4 anything. */
static const char * const seed_notes_negative[] = {
  "对方表示移动报价更低，正在比较。", "客户对故障处理速度非常不满。", "客户明确表示合同到期后不再续约。",
  "客户拒绝沟通欠费问题。", "客户抱怨客户经理更换频繁。",
};

typedef struct
{
  const char *zh;            /* appended to the customer's short name */
  guint       min_monthly;   /* CNY per month for a key account */
  guint       max_monthly;
  guint       max_once;      /* CNY one-off */
  guint       kinds;         /* bit per kind: 1 government, 2 large, 4 sme */
  int         industry;      /* SeedIndustry it is for, -1 for any */
  const char *lines;         /* the product categories sold (crm.product_category[] text) */
} SeedOpportunity;

static const SeedOpportunity seed_opportunities[] = {
  { "5G 专网建设项目",           20000, 200000, 2000000, 3, -1, "{dedicated_line,mobile_plan}" },
  { "互联网专线扩容至 1000M",    10000,  20000,    5000, 7, -1, "{dedicated_line}" },
  { "总部—分支 MPLS 组网",       10000,  80000,  100000, 3, -1, "{dedicated_line}" },
  { "IDC 机柜扩容",              10000, 100000,   50000, 3, -1, "{idc}" },
  { "业务系统上云迁移",           5000,  60000,  300000, 7, -1, "{idc,cloud}" },
  { "视频监控平台 (天翼视联)",     2000,  30000,  500000, 7, -1, "{cloud,iot}" },
  { "物联网卡批量采购",           2000,  50000,       0, 6, -1, "{iot}" },
  { "政企 5G 套餐集团统付",        5000, 100000,       0, 7, -1, "{mobile_plan}" },
  { "行业短信平台接入",           1000,  10000,    5000, 7, -1, "{sms}" },
  { "千兆宽带提速",                300,   2000,     500, 4, -1, "{broadband}" },
  { "政务云资源扩容",            20000, 150000,  200000, 1, -1, "{cloud}" },
  { "智慧校园项目",              10000,  60000,  800000, 1, IND_EDUCATION, "{broadband,cloud,iot}" },
  { "智慧工厂 5G+工业互联网",    20000, 120000, 1500000, 2, IND_MANUFACTURING,
    "{dedicated_line,mobile_plan,iot}" },
  { "云电脑 (天翼云电脑) 替换",     3000,  40000,   50000, 7, -1, "{broadband,cloud}" },
};

/* An open opportunity's next step, by stage (prospecting .. negotiation). */
static const char * const seed_next_steps[4][4] = {
  { "首次上门拜访，了解现网情况", "约见信息化负责人", "收集客户组网需求", "邀请参加产品推介会" },
  { "组织现场勘查", "确认预算与采购方式", "安排技术交流会", "提交需求确认书" },
  { "递交技术方案与报价", "按客户意见修改方案", "安排样板点参观", "等待客户内部评审" },
  { "确认合同条款", "商务让利审批", "准备合同文本", "等待客户盖章" },
};

static const char * const seed_lost_reasons[] = {
  "价格高于竞争对手报价", "客户选择了中国移动的方案", "客户预算取消", "项目延期至明年",
  "技术方案不满足客户需求", "客户内部决策变更", "中国联通提供了更长的免费期",
  "客户招标未入围", "关键联系人离职", "交付周期无法满足客户上线时间",
};

/* What a complaint says, one per title of the "complaint" work order. */
static const char * const seed_complaint_descriptions[4] = {
  "客户反映%s本月中断三次以上，影响正常办公，要求给出整改方案并按协议赔付。",
  "客户反映本月账单比上月多收费用，要求核实并退还多收部分。",
  "客户反映装机超出承诺时限一周以上，影响新办公点启用。",
  "客户反映客户经理电话多次未接，需求长时间无人跟进。",
};

/* Work orders: one template per crm.service_kind, with its steps. */
typedef struct
{
  const char *name;
  guint       hours;         /* time limit from the request being opened */
  char        owner;         /* 's' service, 'm' account manager, 'd' director */
} SeedStep;

typedef struct
{
  const char *phase;
  const char *kind;
  const char *titles[4];     /* %s is a product's short name */
  SeedStep    steps[5];
} SeedService;

static const SeedService seed_services[] = {
  { "pre_sale", "inquiry",
    { "咨询%s资费", "咨询%s开通条件", "咨询 5G 专网方案", "咨询%s升级方案" },
    { { "受理咨询", 4, 's' }, { "方案答复", 24, 'm' }, { "回访确认", 48, 's' } } },
  { "pre_sale", "quotation",
    { "申请%s报价", "%s扩容报价", "年度续约报价", "%s批量采购报价" },
    { { "需求确认", 24, 'm' }, { "资源核查", 48, 's' }, { "报价审批", 72, 'd' }, { "报价发送", 96, 'm' } } },
  { "in_sale", "order",
    { "新装%s", "%s变更", "%s加装", "%s迁移" },
    { { "订单受理", 4, 's' }, { "合同签订", 72, 'm' }, { "开通配置", 120, 's' } } },
  { "in_sale", "installation",
    { "%s装机", "%s割接", "%s现场施工", "%s开通调测" },
    { { "装机预约", 8, 's' }, { "现场施工", 72, 's' }, { "验收确认", 96, 'm' } } },
  { "after_sale", "fault",
    { "%s中断", "%s网速慢", "%s无法使用", "%s间歇性故障" },
    { { "故障受理", 1, 's' }, { "故障定位", 4, 's' }, { "现场修复", 12, 's' }, { "回访确认", 24, 's' } } },
  { "after_sale", "complaint",
    { "投诉：%s多次中断", "投诉：账单多收费", "投诉：装机超时", "投诉：客户经理响应慢" },
    { { "投诉登记", 2, 's' }, { "调查核实", 24, 'm' }, { "处理答复", 48, 'm' }, { "满意度回访", 72, 's' } } },
  { "after_sale", "billing",
    { "账单核对：%s费用异常", "申请发票重开", "%s计费争议", "申请调整付款方式" },
    { { "账单核查", 24, 's' }, { "调账审批", 72, 'd' }, { "结果告知", 96, 's' } } },
  { "after_sale", "cancellation",
    { "申请拆机：%s", "申请销户", "%s减量", "申请暂停%s" },
    { { "挽留沟通", 48, 'm' }, { "拆机", 168, 's' }, { "结清账务", 240, 's' } } },
};

G_END_DECLS

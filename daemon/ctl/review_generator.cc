#include "daemon/ctl/review_generator.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "daemon/common/str_cat.h"

namespace dbcache::ctl {

uint64_t Mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t SplitMix64::Next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return Mix64(state_);
}

uint64_t SplitMix64::Below(uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                               64);
}

double SplitMix64::Unit() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

namespace {

using Words = absl::Span<const std::string_view>;

// Ids are spread over their ranges by x -> (x * kScatter + key) mod range, a
// bijection for any range coprime with kScatter (a prime that divides none of
// the ranges below), so distinct products and customers never share an id.
constexpr uint64_t kScatter = 2654435761ULL;
constexpr uint64_t kCustomerIdBase = 10000;
constexpr uint64_t kCustomerIdRange = 53000000;  // 2^6 * 5^6 * 53
constexpr uint64_t kParentBase = 100000000;
constexpr uint64_t kParentRange = 900000000;       // 2^8 * 3^2 * 5^8
constexpr uint64_t kAsinRange = 2821109907456ULL;  // 36^8 = 2^16 * 3^16
constexpr uint64_t kIsbnRange = 1000000000;        // 10^9
static_assert(kScatter % 2 != 0 && kScatter % 3 != 0 && kScatter % 5 != 0 &&
              kScatter % 53 != 0);

// Customers: most review once or twice, a pool of frequent reviewers often.
constexpr uint64_t kFrequentCustomers = 20000;
constexpr uint64_t kCustomers = 30000000;
constexpr double kFrequentCustomerShare = 0.15;
// Products: index p is drawn as floor(kProducts * u^3), so low indexes (popular
// products) get many reviews; a parent groups kVariantsPerParent variants.
constexpr uint64_t kProducts = 2000000;
constexpr uint64_t kVariantsPerParent = 3;

constexpr char kBase36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

enum class TitleStyle { kGoods, kBook, kMedia };

struct Category {
  std::string_view name;
  int weight;
  TitleStyle style;
  Words nouns;        // Singular, lower case: "headphones", "phone case".
  bool worn = false;  // Titles may say who wears it: "Women's".
};

constexpr std::string_view kWirelessNouns[] = {
    "phone case",       "screen protector",  "car charger",
    "charging cable",   "bluetooth headset", "power bank",
    "wireless earbuds", "phone mount",       "wall charger",
    "selfie stick"};
constexpr std::string_view kPcNouns[] = {
    "wireless mouse", "mechanical keyboard", "usb hub",
    "laptop sleeve",  "external hard drive", "flash drive",
    "webcam",         "monitor stand",       "ethernet cable",
    "sd card"};
constexpr std::string_view kHomeNouns[] = {
    "throw pillow",   "shower curtain", "bath towel set", "wall clock",
    "storage basket", "desk lamp",      "area rug",       "picture frame",
    "bed sheet set",  "laundry hamper"};
constexpr std::string_view kApparelNouns[] = {
    "t-shirt",  "hoodie", "rain jacket", "yoga pants", "baseball cap",
    "cardigan", "jeans",  "wool socks",  "scarf",      "swim trunks"};
constexpr std::string_view kHealthNouns[] = {
    "vitamin d supplement",   "fish oil capsules", "electric toothbrush",
    "digital thermometer",    "heating pad",       "pill organizer",
    "blood pressure monitor", "protein powder"};
constexpr std::string_view kBeautyNouns[] = {
    "face moisturizer", "hair dryer",  "nail polish", "makeup brush set",
    "shampoo",          "lip balm",    "sunscreen",   "beard trimmer",
    "eye cream",        "curling iron"};
constexpr std::string_view kAppNouns[] = {"app", "game", "puzzle game",
                                          "weather app", "photo editor"};
constexpr std::string_view kToyNouns[] = {
    "building blocks set", "plush bear", "puzzle",        "board game",
    "remote control car",  "doll house", "action figure", "kite"};
constexpr std::string_view kSportsNouns[] = {
    "yoga mat",     "water bottle", "resistance bands", "camping tent",
    "bike light",   "jump rope",    "dumbbell set",     "hiking backpack",
    "tennis balls", "sleeping bag"};
constexpr std::string_view kKitchenNouns[] = {
    "chef's knife",   "cast iron skillet", "coffee grinder", "blender",
    "cutting board",  "french press",      "mixing bowls",   "toaster",
    "measuring cups", "tea kettle"};
constexpr std::string_view kElectronicsNouns[] = {
    "hdmi cable",      "bluetooth speaker",
    "tv wall mount",   "noise cancelling headphones",
    "surge protector", "streaming stick",
    "aa batteries",    "alarm clock radio"};
constexpr std::string_view kGroceryNouns[] = {
    "green tea", "coffee beans", "dark chocolate", "olive oil",
    "trail mix", "hot sauce",    "maple syrup",    "granola"};
constexpr std::string_view kPetNouns[] = {
    "dog leash",  "cat scratching post", "pet bed",         "dog chew toy",
    "litter box", "bird feeder",         "aquarium filter", "cat treats"};
constexpr std::string_view kOfficeNouns[] = {
    "gel pens", "stapler",    "desk organizer", "label maker",
    "notebook", "whiteboard", "paper shredder", "sticky notes"};
constexpr std::string_view kCameraNouns[] = {
    "camera bag",  "tripod",       "lens cap",
    "memory card", "camera strap", "lens cleaning kit",
    "ring light",  "action camera"};
constexpr std::string_view kShoeNouns[] = {
    "running shoes", "sandals",    "hiking boots", "slippers",
    "sneakers",      "rain boots", "loafers",      "flip flops"};
constexpr std::string_view kBookNouns[] = {"book", "novel", "story"};
constexpr std::string_view kEbookNouns[] = {"book", "novel", "series"};
constexpr std::string_view kVideoNouns[] = {"movie", "dvd", "series", "film"};
constexpr std::string_view kMusicNouns[] = {"album", "cd", "record"};

// Roughly the mix of the public data set's categories.
constexpr Category kCategories[] = {
    {"Books", 18, TitleStyle::kBook, kBookNouns},
    {"Digital_Ebook_Purchase", 14, TitleStyle::kBook, kEbookNouns},
    {"Wireless", 9, TitleStyle::kGoods, kWirelessNouns},
    {"PC", 7, TitleStyle::kGoods, kPcNouns},
    {"Home", 6, TitleStyle::kGoods, kHomeNouns},
    {"Apparel", 6, TitleStyle::kGoods, kApparelNouns, /*worn=*/true},
    {"Health & Personal Care", 5, TitleStyle::kGoods, kHealthNouns},
    {"Beauty", 5, TitleStyle::kGoods, kBeautyNouns},
    {"Video DVD", 5, TitleStyle::kMedia, kVideoNouns},
    {"Mobile_Apps", 4, TitleStyle::kGoods, kAppNouns},
    {"Toys", 4, TitleStyle::kGoods, kToyNouns},
    {"Sports", 4, TitleStyle::kGoods, kSportsNouns},
    {"Kitchen", 4, TitleStyle::kGoods, kKitchenNouns},
    {"Music", 4, TitleStyle::kMedia, kMusicNouns},
    {"Electronics", 3, TitleStyle::kGoods, kElectronicsNouns},
    {"Grocery", 2, TitleStyle::kGoods, kGroceryNouns},
    {"Pet Products", 2, TitleStyle::kGoods, kPetNouns},
    {"Office Products", 2, TitleStyle::kGoods, kOfficeNouns},
    {"Camera", 2, TitleStyle::kGoods, kCameraNouns},
    {"Shoes", 2, TitleStyle::kGoods, kShoeNouns, /*worn=*/true},
};

constexpr int TotalWeight() {
  int total = 0;
  for (const Category& category : kCategories) total += category.weight;
  return total;
}

constexpr std::string_view kBrands[] = {
    "Northwind",      "Brightline",  "Kestrel",    "Aurora",
    "Summit",         "Evergreen",   "Bluefin",    "Ironwood",
    "Lumen",          "Nimbus",      "Pinecrest",  "Redwood",
    "Silverline",     "Tidewater",   "Vantage",    "Willow & Finch",
    "Zenith",         "Harbor Lane", "Copperleaf", "Maple & Oak",
    "Orbitek",        "Quillon",     "Stellaris",  "Trailhead",
    "Everyday Basics"};
constexpr std::string_view kGoodsAdjectives[] = {
    "Premium", "Ultra-Slim", "Heavy Duty",  "Compact",    "Deluxe",
    "Classic", "Portable",   "Ergonomic",   "Waterproof", "Eco-Friendly",
    "Pro",     "Essential",  "Lightweight", "Adjustable", "Rechargeable"};
constexpr std::string_view kWearers[] = {"Men's", "Women's", "Kids'", "Unisex"};
constexpr std::string_view kVariants[] = {
    "Black",  "White",  "Navy Blue", "Red",     "Gray",  "Rose Gold",
    "2 Pack", "3 Pack", "Large",     "Medium",  "Small", "X-Large",
    "Silver", "Green",  "12 oz",     "Set of 4"};
constexpr std::string_view kTitleAdjectives[] = {
    "Silent", "Hidden",  "Last",      "Broken",  "Golden",  "Midnight",
    "Lost",   "Winter",  "Burning",   "Secret",  "Distant", "Wild",
    "Quiet",  "Crimson", "Forgotten", "Endless", "Little",  "Dark"};
constexpr std::string_view kTitleNouns[] = {
    "River",   "Garden",  "Kingdom", "Harbor",   "Promise",  "Shadow",
    "Summer",  "Witness", "Orchard", "Frontier", "Daughter", "Storm",
    "Letters", "Island",  "Road",    "Light",    "Empire",   "Echo"};
constexpr std::string_view kBookSuffixes[] = {
    ": A Novel",    ": A Memoir", " (Book 1)", " (Book 2)", " (Book 3)",
    ": A Thriller", "",           "",          "",          ""};
constexpr std::string_view kMediaSuffixes[] = {
    " [DVD]",        " [Blu-ray]", " (Deluxe Edition)",
    " (Remastered)", " [Vinyl]",   ""};

constexpr std::string_view kStarWords[] = {"One", "Two", "Three", "Four",
                                           "Five"};
constexpr std::string_view kHeadlines1[] = {
    "Terrible",   "Waste of money", "Broke after a week",
    "Do not buy", "Returned it",    "Very disappointed",
    "Junk"};
constexpr std::string_view kHeadlines2[] = {
    "Disappointed", "Not great",           "Could be better",
    "Meh",          "Not what I expected", "Poor quality"};
constexpr std::string_view kHeadlines3[] = {
    "It's okay",      "Average",      "Decent for the price",
    "Mixed feelings", "Does the job", "Just okay"};
constexpr std::string_view kHeadlines4[] = {
    "Very good", "Pretty good",  "Good value", "Nice, with one small issue",
    "Solid",     "Happy with it"};
constexpr std::string_view kHeadlines5[] = {"Love it!",
                                            "Great product",
                                            "Excellent",
                                            "Highly recommend",
                                            "Perfect",
                                            "Works great",
                                            "Exactly what I needed",
                                            "Awesome",
                                            "Best purchase this year"};
constexpr Words kHeadlines[] = {kHeadlines1, kHeadlines2, kHeadlines3,
                                kHeadlines4, kHeadlines5};

// Body sentences; '@' stands for the product's noun.
constexpr std::string_view kPraise[] = {
    "I love this @.",
    "Works exactly as described.",
    "Great quality for the price.",
    "Would definitely buy again.",
    "Highly recommend this @ to anyone.",
    "Much better than the one I had before.",
    "Easy to set up and use.",
    "Exceeded my expectations.",
    "My family loves it.",
    "Five stars, no complaints.",
    "I have already ordered a second one.",
    "Very well made and sturdy."};
constexpr std::string_view kBookPraise[] = {
    "Could not put it down.",       "The characters were well developed.",
    "Beautifully written.",         "I read it in one sitting.",
    "Can't wait for the next one.", "One of the best I have read this year."};
constexpr std::string_view kComplaints[] = {
    "Stopped working after two weeks.",
    "Cheaply made and feels flimsy.",
    "Not as described.",
    "I returned the @ for a refund.",
    "Customer service was no help.",
    "Save your money.",
    "The @ arrived damaged.",
    "Does not work as advertised.",
    "Smaller than it looks in the pictures."};
constexpr std::string_view kBookComplaints[] = {
    "The plot dragged in the middle.", "The ending felt rushed.",
    "Too many typos.", "I could not finish it.",
    "Not as good as the author's earlier work."};
constexpr std::string_view kLukewarm[] = {
    "It does the job, nothing special.",
    "Quality is okay for the price.",
    "Not bad, but not great either.",
    "The @ is a bit smaller than I expected.",
    "Some good parts and some not so good.",
    "It was fine."};
constexpr std::string_view kFiller[] = {
    "I bought this @ as a gift.",
    "I have been using it for about a month now.",
    "Shipping was fast.",
    "Arrived on time and well packaged.",
    "The color is exactly as pictured.",
    "The instructions could be clearer.",
    "I ordered it after reading the other reviews.",
    "Price was reasonable."};
constexpr std::string_view kOneLiners[] = {
    "Great!",        "Love it.",           "Perfect.",   "Works great.",
    "As described.", "Excellent product.", "Very happy."};

std::string_view Pick(SplitMix64& rng, Words words) {
  return words[rng.Below(words.size())];
}

const Category& PickCategory(SplitMix64& rng) {
  int ticket = static_cast<int>(rng.Below(TotalWeight()));
  for (const Category& category : kCategories) {
    if (ticket < category.weight) return category;
    ticket -= category.weight;
  }
  return kCategories[0];  // Unreachable: the weights sum to TotalWeight().
}

// Appends `value` as `digits` base-36 digits, most significant first.
void AppendBase36(uint64_t value, int digits, std::string* out) {
  const size_t start = out->size();
  out->resize(start + digits);
  for (int i = digits - 1; i >= 0; --i) {
    (*out)[start + i] = kBase36[value % 36];
    value /= 36;
  }
}

// Appends a sentence, replacing '@' by `noun`.
void AppendSentence(std::string_view sentence, std::string_view noun,
                    std::string* out) {
  if (!out->empty()) out->push_back(' ');
  const size_t at = sentence.find('@');
  if (at == std::string_view::npos) {
    out->append(sentence);
  } else {
    dbcache::StrAppend(out, sentence.substr(0, at), noun,
                       sentence.substr(at + 1));
  }
}

// A product's attributes, the same in every review of it.
struct Product {
  const Category* category;
  std::string_view noun;
};

Product MakeProduct(uint64_t p, uint64_t key, Review* review) {
  SplitMix64 rng(Mix64(key ^ p));
  Product product;
  product.category = &PickCategory(rng);
  product.noun = Pick(rng, product.category->nouns);
  review->product_category = product.category->name;

  std::string& id = review->product_id;
  id.clear();
  if (product.category->style == TitleStyle::kBook) {
    // An ISBN-10, as the data set's books have: nine digits and a check digit.
    uint64_t value = (p * kScatter + key) % kIsbnRange;
    id.resize(10);
    int sum = 0;
    for (int i = 8; i >= 0; --i) {
      const int digit = static_cast<int>(value % 10);
      value /= 10;
      id[i] = static_cast<char>('0' + digit);
      sum += digit * (10 - i);
    }
    const int check = (11 - sum % 11) % 11;
    id[9] = check == 10 ? 'X' : static_cast<char>('0' + check);
  } else {
    id = "B0";
    AppendBase36((p * kScatter + key) % kAsinRange, 8, &id);
  }
  review->product_parent = static_cast<uint32_t>(
      kParentBase +
      ((p / kVariantsPerParent) * kScatter + (key >> 20)) % kParentRange);

  std::string& title = review->product_title;
  title.clear();
  switch (product.category->style) {
    case TitleStyle::kBook:
      if (rng.Chance(0.5)) {
        dbcache::StrAppend(&title, "The ", Pick(rng, kTitleAdjectives), " ",
                           Pick(rng, kTitleNouns));
      } else {
        dbcache::StrAppend(&title, Pick(rng, kTitleNouns), " of the ",
                           Pick(rng, kTitleAdjectives), " ",
                           Pick(rng, kTitleNouns));
      }
      title.append(Pick(rng, kBookSuffixes));
      break;
    case TitleStyle::kMedia:
      dbcache::StrAppend(&title, Pick(rng, kTitleAdjectives), " ",
                         Pick(rng, kTitleNouns), Pick(rng, kMediaSuffixes));
      break;
    case TitleStyle::kGoods: {
      dbcache::StrAppend(&title, Pick(rng, kBrands), " ");
      if (product.category->worn && rng.Chance(0.7)) {
        dbcache::StrAppend(&title, Pick(rng, kWearers), " ");
      }
      dbcache::StrAppend(&title, Pick(rng, kGoodsAdjectives), " ");
      // Title case, as listings are: "wireless mouse" -> "Wireless Mouse".
      const size_t start = title.size();
      title.append(product.noun);
      for (size_t i = start; i < title.size(); ++i) {
        if ((i == start || title[i - 1] == ' ' || title[i - 1] == '-') &&
            title[i] >= 'a' && title[i] <= 'z') {
          title[i] = static_cast<char>(title[i] - 'a' + 'A');
        }
      }
      if (rng.Chance(0.6))
        dbcache::StrAppend(&title, ", ", Pick(rng, kVariants));
      break;
    }
  }
  return product;
}

int PickStars(SplitMix64& rng) {
  // The public data set's overall mix: mostly five stars, a bump at one.
  const double u = rng.Unit();
  if (u < 0.09) return 1;
  if (u < 0.15) return 2;
  if (u < 0.24) return 3;
  if (u < 0.42) return 4;
  return 5;
}

void MakeBody(SplitMix64& rng, int stars, const Product& product,
              std::string* body) {
  body->clear();
  if (stars == 5 && rng.Chance(0.25)) {
    body->append(Pick(rng, kOneLiners));
    return;
  }
  const bool book = product.category->style == TitleStyle::kBook;
  const int sentences = 1 + static_cast<int>(rng.Below(5));
  for (int i = 0; i < sentences; ++i) {
    Words words = kFiller;
    if (!rng.Chance(0.3)) {
      if (stars >= 4) {
        words = book && rng.Chance(0.6) ? Words(kBookPraise) : Words(kPraise);
      } else if (stars == 3) {
        words = kLukewarm;
      } else {
        words = book && rng.Chance(0.6) ? Words(kBookComplaints)
                                        : Words(kComplaints);
      }
    }
    AppendSentence(Pick(rng, words), product.noun, body);
  }
}

// Appends `text` as a LOAD DATA field: tab, newline and backslash escaped.
void AppendTsvText(std::string_view text, std::string* out) {
  if (text.find_first_of("\t\n\\") == std::string_view::npos) {
    out->append(text);
    return;
  }
  for (char c : text) {
    switch (c) {
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\\':
        out->append("\\\\");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendSqlText(std::string_view text, std::string* out) {
  out->push_back('\'');
  for (char c : text) {
    if (c == '\'') out->push_back('\'');
    out->push_back(c);
  }
  out->push_back('\'');
}

// "YYYY-MM-DD" without a formatting library's per-call overhead.
void AppendDate(absl::CivilDay day, std::string* out) {
  char text[10];
  int year = static_cast<int>(day.year());
  for (int i = 3; i >= 0; --i, year /= 10)
    text[i] = static_cast<char>('0' + year % 10);
  text[4] = '-';
  text[5] = static_cast<char>('0' + day.month() / 10);
  text[6] = static_cast<char>('0' + day.month() % 10);
  text[7] = '-';
  text[8] = static_cast<char>('0' + day.day() / 10);
  text[9] = static_cast<char>('0' + day.day() % 10);
  out->append(text, sizeof(text));
}

const absl::CivilDay kFirstDay(1999, 6, 1);
const absl::CivilDay kLastDay(2015, 8, 31);

}  // namespace

ReviewGenerator::ReviewGenerator(uint64_t seed)
    : seed_(seed),
      row_key_(Mix64(seed ^ 0x726f7773ULL)),
      review_id_key_(Mix64(seed ^ 0x72657669657773ULL)),
      product_key_(Mix64(seed ^ 0x70726f6475637473ULL)),
      customer_key_(Mix64(seed ^ 0x637573746f6d6572ULL)) {}

void ReviewGenerator::Generate(uint64_t index, Review* review) const {
  SplitMix64 rng(Mix64(row_key_ ^ index));
  review->id = index + 1;

  // Mix64 is a bijection, so distinct rows get distinct ids; 36^13 > 2^64 holds
  // any.
  review->review_id = "R";
  AppendBase36(Mix64(index ^ review_id_key_), 13, &review->review_id);

  const double market = rng.Unit();
  review->marketplace = market < 0.96    ? "US"
                        : market < 0.98  ? "UK"
                        : market < 0.99  ? "DE"
                        : market < 0.995 ? "FR"
                                         : "JP";

  const uint64_t customer =
      rng.Chance(kFrequentCustomerShare)
          ? rng.Below(kFrequentCustomers)
          : kFrequentCustomers + rng.Below(kCustomers - kFrequentCustomers);
  review->customer_id = static_cast<uint32_t>(
      kCustomerIdBase +
      (customer * kScatter + customer_key_) % kCustomerIdRange);

  // p = floor(kProducts * u^3) for u uniform in [0, 1), in integers: a is u *
  // 2^21.
  const unsigned __int128 a = rng.Below(uint64_t{1} << 21);
  const uint64_t p = static_cast<uint64_t>((a * a * a * kProducts) >> 63);
  const Product product = MakeProduct(p, product_key_, review);

  review->star_rating = PickStars(rng);
  if (rng.Chance(0.55)) {
    review->total_votes = 0;
    review->helpful_votes = 0;
  } else {
    // A uniform draw below a uniform bound: small counts common, large ones
    // rare.
    review->total_votes =
        static_cast<uint32_t>(1 + rng.Below(1 + rng.Below(300)));
    // Readers find good reviews more helpful.
    const uint32_t unhelpful_tenths = review->star_rating >= 4 ? 4 : 8;
    review->helpful_votes =
        review->total_votes -
        static_cast<uint32_t>(
            rng.Below(review->total_votes * unhelpful_tenths / 10 + 1));
  }
  review->vine = rng.Chance(0.01) ? 'Y' : 'N';
  review->verified_purchase = rng.Chance(0.78) ? 'Y' : 'N';

  review->review_headline.clear();
  if (rng.Chance(0.3)) {
    dbcache::StrAppend(&review->review_headline,
                       kStarWords[review->star_rating - 1],
                       review->star_rating == 1 ? " Star" : " Stars");
  } else {
    review->review_headline.append(
        Pick(rng, kHeadlines[review->star_rating - 1]));
  }
  MakeBody(rng, review->star_rating, product, &review->review_body);

  // More reviews in later years: the largest of three uniform draws (density
  // growing with the square of the day's position).
  const uint64_t span = static_cast<uint64_t>(kLastDay - kFirstDay + 1);
  const uint64_t d1 = rng.Below(span), d2 = rng.Below(span),
                 d3 = rng.Below(span);
  review->review_date =
      kFirstDay + static_cast<int64_t>(std::max(d1, std::max(d2, d3)));
}

void AppendTsv(const Review& r, std::string* out) {
  dbcache::StrAppend(out, r.id, "\t", r.marketplace, "\t", r.customer_id, "\t",
                     r.review_id, "\t", r.product_id, "\t", r.product_parent,
                     "\t");
  AppendTsvText(r.product_title, out);
  out->push_back('\t');
  AppendTsvText(r.product_category, out);
  dbcache::StrAppend(out, "\t", r.star_rating, "\t", r.helpful_votes, "\t",
                     r.total_votes, "\t", std::string_view(&r.vine, 1), "\t",
                     std::string_view(&r.verified_purchase, 1), "\t");
  AppendTsvText(r.review_headline, out);
  out->push_back('\t');
  AppendTsvText(r.review_body, out);
  out->push_back('\t');
  AppendDate(r.review_date, out);
  out->push_back('\n');
}

void AppendSqlTuple(const Review& r, std::string* out) {
  dbcache::StrAppend(out, "(", r.id, ",'", r.marketplace, "',", r.customer_id,
                     ",'", r.review_id, "','", r.product_id, "',",
                     r.product_parent, ",");
  AppendSqlText(r.product_title, out);
  out->push_back(',');
  AppendSqlText(r.product_category, out);
  dbcache::StrAppend(out, ",", r.star_rating, ",", r.helpful_votes, ",",
                     r.total_votes, ",'", std::string_view(&r.vine, 1), "','",
                     std::string_view(&r.verified_purchase, 1), "',");
  AppendSqlText(r.review_headline, out);
  out->push_back(',');
  AppendSqlText(r.review_body, out);
  out->append(",'");
  AppendDate(r.review_date, out);
  out->append("')");
}

}  // namespace dbcache::ctl

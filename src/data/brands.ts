/**
 * The brands of the synthetic set, by simple-icons slug, in class order:
 * first the 21 Flickr Logos 27 brands that simple-icons has, then other
 * widely known marks. A fixed list (not read from simple-icons) so that
 * class names are known without loading that 4 MB module, and so that a
 * simple-icons upgrade cannot silently reorder classes.
 */
export const SYNTHETIC_BRANDS: readonly string[] = [
  'adidas', 'apple', 'bmw', 'citroen', 'cocacola', 'dhl', 'fedex', 'ferrari',
  'ford', 'google', 'hp', 'intel', 'mcdonalds', 'mini', 'nbc', 'nike',
  'porsche', 'puma', 'redbull', 'starbucks', 'vodafone', 'shell',
  'volkswagen', 'audi', 'toyota', 'honda', 'renault', 'peugeot', 'volvo',
  'fiat', 'tesla', 'nissan', 'mazda', 'subaru', 'hyundai', 'kia',
  'lamborghini', 'bugatti', 'ducati', 'suzuki', 'chevrolet', 'opel', 'seat',
  'skoda', 'jeep', 'dacia', 'ikea', 'playstation', 'sony', 'samsung', 'lg',
  'siemens', 'bosch', 'nikon', 'panasonic', 'toshiba', 'dell', 'lenovo',
  'asus', 'acer', 'amd', 'nvidia', 'cisco', 'huawei', 'xiaomi', 'motorola',
  'nokia', 'blackberry', 'x', 'facebook', 'instagram', 'youtube', 'spotify',
  'netflix', 'airbnb', 'uber', 'paypal', 'visa', 'mastercard',
  'americanexpress', 'ups', 'burgerking', 'kfc', 'tacobell', 'lufthansa',
  'emirates', 'qatarairways', 'ryanair', 'easyjet', 'turkishairlines',
  'airfrance', 'klm', 'deutschetelekom', 'verizon', 'orange', 'ebay',
  'target', 'lidl', 'carrefour', 'tesco', 'zara', 'uniqlo', 'reebok',
  'newbalance', 'underarmour', 'fila', 'hbo', 'cnn', 'wikipedia', 'mozilla',
  'firefox', 'googlechrome', 'safari', 'opera', 'linux', 'ubuntu', 'debian',
  'android', 'github', 'gitlab', 'docker', 'python', 'javascript', 'react',
  'vuedotjs', 'angular', 'nodedotjs', 'rust', 'go', 'kotlin', 'swift',
  'discord', 'telegram', 'whatsapp', 'zoom', 'dropbox', 'trello', 'atlassian',
  'jira', 'figma', 'wordpress', 'shopify', 'stripe', 'reddit', 'pinterest',
  'tumblr', 'snapchat', 'tiktok', 'twitch', 'steam', 'epicgames', 'ubisoft',
  'ea', 'activision', 'sega', 'atari', 'mitsubishi', 'infiniti', 'bentley',
  'rollsroyce', 'astonmartin', 'mclaren', 'maserati', 'smart', 'polestar',
  'ktm', 'vespa', 'boeing', 'airbus', 'spacex', 'nasa', 'unilever', 'mcafee',
  'norton', 'kaspersky', 'bitcoin', 'ethereum', 'wise', 'revolut', 'n26',
  'monzo', 'hsbc', 'barclays', 'sncf', 'deutschebahn', 'shazam', 'deezer',
  'tidal', 'soundcloud', 'bandcamp', 'vimeo', 'dailymotion', 'dior', 'hermes',
  'redhat', 'vivo', 'oppo', 'yamahacorporation', 'kodak', 'fujifilm',
];

/** How many of SYNTHETIC_BRANDS are Flickr27 brands. */
export const FLICKR27_BRAND_COUNT = 21;

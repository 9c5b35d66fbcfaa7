package simulator

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/nanoscout/nanoscout/model"
)

// SaleCreator is one creator of a simulated campaign: its ground truth and
// the promo code it was given.
type SaleCreator struct {
	Truth Truth
	Code  string
}

// SalesOptions shape a simulated campaign's orders.
type SalesOptions struct {
	Seed       uint64
	Start, End time.Time // the campaign's dates: orders fall in them
	Currency   string    // default USD
	// Untracked adds this many orders with no code or an unknown one (the
	// shop's other sales, and typos), which attribution must keep apart.
	Untracked int
	// OrderPrefix goes before each order number ("#" + prefix + 1001…), so
	// that two simulated campaigns in one store do not share order ids.
	OrderPrefix string
}

// conversionPerEngagement is the share of real engagements on a sponsored
// post that become an order, by tier: the brief's arithmetic (a nano
// creator's ~80 engagements buy about one sale; a mega creator's 10,000
// engagements about 50).
var conversionPerEngagement = map[string]float64{
	model.TierBelow: 0.012, model.TierNano: 0.012, model.TierMicro: 0.010,
	model.TierMid: 0.008, model.TierMacro: 0.006, model.TierMega: 0.005,
}

// realShare is the share of an archetype's engagement that comes from people
// who could buy: bought likes and followers, and pods' bots, cannot.
var realShare = map[string]float64{
	ArchOrganic: 1, ArchSponsoredHeavy: 0.6, ArchPod: 0.3, ArchBoughtLikes: 0.2, ArchBoughtFollowers: 0.5,
}

// ExpectedSales is the mean number of orders a creator's sponsored post
// brings in the simulation: followers × true ER × the share of engagement
// from real people × the tier's conversion per engagement.
func ExpectedSales(t Truth) float64 {
	eng := float64(t.Followers) * t.ERByFollowers / 100
	return eng * realShare[t.Archetype] * conversionPerEngagement[t.Tier]
}

// WriteShopifyOrders writes the orders a campaign over creators brings, as
// Shopify's orders export (one row per line item, the order's totals on its
// first row): each creator's order count is Poisson around ExpectedSales;
// about 5 % of orders are refunded, 3 % still pending, 2 % voided. The same
// options give the same file. It returns how many orders carry each code.
func WriteShopifyOrders(w io.Writer, creators []SaleCreator, o SalesOptions) (map[string]int, error) {
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if !o.End.After(o.Start) {
		return nil, fmt.Errorf("sales: end %v not after start %v", o.End, o.Start)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5a1e5))
	type order struct {
		at   time.Time
		code string
	}
	var orders []order
	counts := map[string]int{}
	span := o.End.Sub(o.Start)
	for _, c := range creators {
		n := poisson(rng, ExpectedSales(c.Truth))
		counts[c.Code] = n
		for range n {
			orders = append(orders, order{at: o.Start.Add(time.Duration(rng.Float64() * float64(span))), code: c.Code})
		}
	}
	for i := range o.Untracked {
		code := ""
		if i%3 == 0 {
			code = fmt.Sprintf("WELCOME%d", 10+rng.IntN(10))
		}
		orders = append(orders, order{at: o.Start.Add(time.Duration(rng.Float64() * float64(span))), code: code})
	}
	sort.SliceStable(orders, func(i, j int) bool { return orders[i].at.Before(orders[j].at) })

	cw := csv.NewWriter(w)
	if err := cw.Write(shopifyHeader); err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range shopifyHeader {
		col[h] = i
	}
	products := []struct {
		name  string
		cents int
	}{{"Glow serum 30 ml", 3490}, {"Lip balm trio", 1890}, {"Night cream 50 ml", 4290}, {"Travel kit", 2590}}
	for i, od := range orders {
		name := fmt.Sprintf("#%s%d", o.OrderPrefix, 1001+i)
		items := 1 + rng.IntN(3)
		var lines []int
		total := 0
		for range items {
			p := rng.IntN(len(products))
			lines = append(lines, p)
			total += products[p].cents
		}
		status, refunded, paidAt, cancelled := "paid", 0, od.at.Add(time.Minute), ""
		switch r := rng.Float64(); {
		case r < 0.05:
			status, refunded = "refunded", total
		case r < 0.08:
			status, paidAt = "pending", time.Time{}
		case r < 0.10:
			status, paidAt, cancelled = "voided", time.Time{}, od.at.Add(2*time.Hour).Format("2006-01-02 15:04:05 -0700")
		}
		for li, p := range lines {
			row := make([]string, len(shopifyHeader))
			row[col["Name"]] = name
			row[col["Created at"]] = od.at.Format("2006-01-02 15:04:05 -0700")
			row[col["Lineitem quantity"]] = "1"
			row[col["Lineitem name"]] = products[p].name
			row[col["Lineitem price"]] = cents(products[p].cents)
			row[col["Lineitem sku"]] = strings.ToUpper(strings.ReplaceAll(products[p].name, " ", "-"))
			row[col["Lineitem requires shipping"]] = "true"
			row[col["Lineitem taxable"]] = "true"
			row[col["Lineitem fulfillment status"]] = "pending"
			row[col["Vendor"]] = "Acme Skin"
			if li == 0 {
				row[col["Email"]] = fmt.Sprintf("buyer%d@example.com", 1001+i)
				row[col["Financial Status"]] = status
				if !paidAt.IsZero() {
					row[col["Paid at"]] = paidAt.Format("2006-01-02 15:04:05 -0700")
				}
				row[col["Fulfillment Status"]] = "unfulfilled"
				row[col["Accepts Marketing"]] = "no"
				row[col["Currency"]] = o.Currency
				row[col["Subtotal"]] = cents(total)
				row[col["Shipping"]] = "0.00"
				row[col["Taxes"]] = "0.00"
				row[col["Total"]] = cents(total)
				row[col["Discount Code"]] = od.code
				row[col["Discount Amount"]] = "0.00"
				row[col["Cancelled at"]] = cancelled
				row[col["Refunded Amount"]] = cents(refunded)
				row[col["Outstanding Balance"]] = "0.00"
				row[col["Id"]] = fmt.Sprint(5_550_000_000 + i)
				row[col["Source"]] = "web"
				row[col["Payment Method"]] = "Shopify Payments"
			}
			if err := cw.Write(row); err != nil {
				return nil, err
			}
		}
	}
	cw.Flush()
	return counts, cw.Error()
}

func cents(c int) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// poisson draws from a Poisson distribution (Knuth for small means, a
// rounded normal above 30).
func poisson(rng *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// shopifyHeader is the header of Shopify's orders export.
var shopifyHeader = strings.Split("Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"+
	"Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"+
	"Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,"+
	"Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"+
	"Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,"+
	"Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,"+
	"Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"+
	"Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,"+
	"Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,"+
	"Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References", ",")

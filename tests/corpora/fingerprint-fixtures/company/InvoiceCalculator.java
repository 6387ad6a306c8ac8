package com.example.billing.invoice;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds invoices from usage lines, applying tiered discounts and tax.
 */
public final class InvoiceCalculator {
    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private final TaxTable taxTable;
    private final List<DiscountTier> tiers;

    public InvoiceCalculator(TaxTable taxTable, List<DiscountTier> tiers) {
        this.taxTable = Objects.requireNonNull(taxTable);
        this.tiers = new ArrayList<>(tiers);
        this.tiers.sort((a, b) -> a.threshold().compareTo(b.threshold()));
    }

    public Invoice calculate(Customer customer, List<UsageLine> lines, LocalDate issued) {
        BigDecimal subtotal = BigDecimal.ZERO;
        List<InvoiceLine> out = new ArrayList<>();
        for (UsageLine line : lines) {
            BigDecimal amount = line.unitPrice().multiply(BigDecimal.valueOf(line.quantity()));
            subtotal = subtotal.add(amount);
            out.add(new InvoiceLine(line.sku(), line.quantity(), amount));
        }
        BigDecimal discount = discountFor(subtotal);
        BigDecimal discounted = subtotal.subtract(subtotal.multiply(discount).divide(HUNDRED, 2, RoundingMode.HALF_EVEN));
        BigDecimal rate = taxTable.rateFor(customer.region(), issued);
        BigDecimal tax = discounted.multiply(rate).setScale(2, RoundingMode.HALF_EVEN);
        return new Invoice(customer.id(), issued, out, subtotal, discount, tax, discounted.add(tax));
    }

    private BigDecimal discountFor(BigDecimal subtotal) {
        BigDecimal percent = BigDecimal.ZERO;
        for (DiscountTier tier : tiers) {
            if (subtotal.compareTo(tier.threshold()) >= 0) {
                percent = tier.percent();
            } else {
                break;
            }
        }
        return percent;
    }
}

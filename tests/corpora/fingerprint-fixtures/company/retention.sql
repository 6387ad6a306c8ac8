-- Monthly revenue retention by signup cohort.
-- Owner: analytics platform team.
WITH first_orders AS (
    SELECT customer_id,
           date_trunc('month', MIN(ordered_at)) AS cohort_month
    FROM orders
    WHERE status IN ('paid', 'refunded_partial')
    GROUP BY customer_id
),
monthly AS (
    SELECT o.customer_id,
           date_trunc('month', o.ordered_at) AS order_month,
           SUM(o.total_cents - COALESCE(r.refund_cents, 0)) AS net_cents
    FROM orders o
    LEFT JOIN refunds r ON r.order_id = o.id AND r.status = 'settled'
    WHERE o.status IN ('paid', 'refunded_partial')
    GROUP BY o.customer_id, date_trunc('month', o.ordered_at)
),
cohort_revenue AS (
    SELECT f.cohort_month,
           m.order_month,
           EXTRACT(YEAR FROM age(m.order_month, f.cohort_month)) * 12
             + EXTRACT(MONTH FROM age(m.order_month, f.cohort_month)) AS month_index,
           SUM(m.net_cents) AS net_cents,
           COUNT(DISTINCT m.customer_id) AS active_customers
    FROM monthly m
    JOIN first_orders f ON f.customer_id = m.customer_id
    GROUP BY f.cohort_month, m.order_month
)
SELECT c.cohort_month,
       c.month_index,
       c.active_customers,
       c.net_cents,
       ROUND(100.0 * c.net_cents / NULLIF(base.net_cents, 0), 1) AS revenue_retention_pct
FROM cohort_revenue c
JOIN cohort_revenue base
  ON base.cohort_month = c.cohort_month AND base.month_index = 0
WHERE c.cohort_month >= date_trunc('month', now()) - INTERVAL '24 months'
ORDER BY c.cohort_month, c.month_index;

-- Nothing reads machine_products by version and time any more: the dashboard sums
-- success_days and kms_seen_days (0007). Each report moved its machine's entries in both
-- indexes, two random page writes per report for the report writer.

drop index machine_products_seen;
drop index machine_products_success;

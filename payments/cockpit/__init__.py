"""The collections cockpit: invoices, what clients still owe, the call list, promises."""

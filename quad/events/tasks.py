"""Events have no background work of their own: offers and expiry ride on commerce's expire_orders."""

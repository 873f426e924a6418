"""The floor every app stands on: money, months and the calendar, with no Django in them."""

from django.dispatch import Signal

# Sent after the commit of services.mark_returned, with correspondence=<Correspondence>: the post office sent a
# letter back undeliverable (collections, for one, takes a returned shutoff notice as not given).
letter_returned = Signal()

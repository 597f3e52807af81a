"""The workflow layer of the receiver: Power Automate's expression language (`expressions`), and the flow
definitions and engine built on it. Nothing here imports Flask; the web layer calls in through the service.
"""

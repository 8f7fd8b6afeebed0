from rest_framework.throttling import AnonRateThrottle


class TwoPerMinute(AnonRateThrottle):
    rate = "2/min"

"""Problem categories of a ticket, from the words of its text: what the chart of top categories and
the "write an article" suggestion count.

A small explicit table, first match wins, so a report can be checked by hand: 打印机卡纸 is a
printer problem, 邮箱满了 an email one. A hardware ticket is a hardware problem whatever it says.
"""

from __future__ import annotations

CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("printer", ("打印", "扫描", "复印", "卡纸", "墨盒", "硒鼓", "printer", "print", "scan")),
    ("email", ("邮箱", "邮件", "outlook", "foxmail", "email", "mail")),
    ("account", ("密码", "账号", "帐号", "登录", "登不上", "锁定", "password", "account", "log in", "login")),
    ("network", ("网络", "断网", "上不了网", "网速", "wifi", "无线", "vpn", "共享文件夹", "network", "internet")),
    ("virus", ("病毒", "中毒", "弹窗", "勒索", "杀毒", "virus", "malware", "pop-up")),
    ("meeting", ("投影", "会议室", "大屏", "projector", "meeting room")),
    ("software", ("安装", "软件", "升级", "激活", "office", "excel", "word", "install", "software")),
    ("system", ("蓝屏", "死机", "开机", "重启", "卡顿", "很慢", "系统", "更新", "驱动", "blue screen", "slow", "boot")),
)
OTHER = "other"
HARDWARE = "hardware"
ORDER = (*(name for name, _ in CATEGORIES), HARDWARE, OTHER)


def category_of(text: str, severity: str | None = None) -> str:
    """The category of a ticket: ``hardware`` for a hardware ticket, else the first whose words match."""
    if severity == HARDWARE:
        return HARDWARE
    lowered = text.lower()
    for name, words in CATEGORIES:
        if any(word in lowered for word in words):
            return name
    return OTHER

# The demo outbox of text messages (core.sms.OutboxSmsBackend).

import yizhan.core.pii
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_notification_message'),
    ]

    operations = [
        migrations.CreateModel(
            name='SmsMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mobile', yizhan.core.pii.EncryptedTextField(verbose_name='mobile number')),
                ('text', yizhan.core.pii.EncryptedTextField(verbose_name='text')),
                ('sent_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='sent at')),
            ],
            options={
                'verbose_name': 'text message (demo outbox)',
                'verbose_name_plural': 'text messages (demo outbox)',
            },
        ),
    ]

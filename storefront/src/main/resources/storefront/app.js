/*
 * EventMall storefront: plain JavaScript, no build step. Every page is rendered here from location.pathname; data comes
 * only from the services' public REST APIs (window.EVENTMALL.services, CORS) and payments go through Toss's browser SDK
 * (window.EVENTMALL.tossSdkUrl). Text is inserted as text nodes, never as HTML.
 */
(function () {
  'use strict';
  var CFG = window.EVENTMALL;
  var app = document.getElementById('app');
  var SESSION_KEY = 'eventmall.session';
  var TERMINAL = ['DELIVERED', 'CANCELLED', 'PAYMENT_FAILED', 'REJECTED'];
  var STATUS_KO = {
    PENDING: '주문 접수', PAYMENT_PENDING: '결제 진행 중', AWAITING_PAYMENT: '결제 대기', PAID: '결제 완료',
    SHIPPING: '배송 중', DELIVERED: '배송 완료', REJECTED: '재고 부족', PAYMENT_FAILED: '결제 실패',
    CANCEL_REQUESTED: '취소 요청', CANCELLING: '취소 중', CANCELLED: '취소됨'
  };

  // ------------------------------------------------------------------ helpers

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k.indexOf('on') === 0) el.addEventListener(k.substring(2), v);
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : v);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === undefined || c === null || c === false) continue;
      (Array.isArray(c) ? c : [c]).forEach(function (x) {
        el.appendChild(typeof x === 'string' || typeof x === 'number' ? document.createTextNode(String(x)) : x);
      });
    }
    return el;
  }

  function show() {
    app.textContent = '';
    for (var i = 0; i < arguments.length; i++) if (arguments[i]) app.appendChild(arguments[i]);
  }

  function won(n) { return Number(n).toLocaleString('ko-KR') + '원'; }
  function params() { return new URLSearchParams(location.search); }
  function go(path) { location.assign(path); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'k' + Date.now() + Math.random().toString(16).slice(2);
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function session() {
    try { return JSON.parse(localStorage.getItem(SESSION_KEY)); } catch (e) { return null; }
  }
  function saveSession(s) { localStorage.setItem(SESSION_KEY, JSON.stringify(s)); }
  function logout() { localStorage.removeItem(SESSION_KEY); go('/'); }

  /** A problem+json answer as one line: its detail and the fields it lists. */
  function problemText(res) {
    var d = res.data || {};
    var text = d.detail || d.title || ('HTTP ' + res.status);
    if (Array.isArray(d.errors) && d.errors.length) {
      text += ' (' + d.errors.map(function (e) { return e.field + ': ' + e.message; }).join(', ') + ')';
    }
    return text;
  }

  async function api(service, method, path, body, opts) {
    opts = opts || {};
    var headers = Object.assign({}, opts.headers || {});
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    var s = session();
    if (s && !opts.anonymous) headers.Authorization = 'Bearer ' + s.accessToken;
    var res;
    try {
      res = await fetch(CFG.services[service] + path, {
        method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (e) {
      return { status: 0, data: { detail: service + ' is unreachable: ' + e.message } };
    }
    var text = await res.text();
    var data = null;
    if (text) { try { data = JSON.parse(text); } catch (e) { data = { detail: text }; } }
    if (res.status === 401 && s && s.refreshToken && !opts.retried && await refresh(s)) {
      return api(service, method, path, body, Object.assign({}, opts, { retried: true }));
    }
    return { status: res.status, data: data, headers: res.headers };
  }

  async function refresh(s) {
    var r = await api('member', 'POST', '/auth/refresh', { refreshToken: s.refreshToken }, { anonymous: true,
      retried: true });
    if (r.status !== 200) { localStorage.removeItem(SESSION_KEY); return false; }
    saveSession(Object.assign({}, s, { accessToken: r.data.accessToken, refreshToken: r.data.refreshToken }));
    return true;
  }

  function requireLogin(role) {
    var s = session();
    if (!s) { go('/login?next=' + encodeURIComponent(location.pathname + location.search)); return null; }
    if (role && s.role !== role) {
      show(h('p', { class: 'error', id: 'page-error', text: '이 페이지는 ' + role + ' 계정만 쓸 수 있습니다.' }));
      return null;
    }
    return s;
  }

  /** Loads Toss's browser SDK (the real one live, the emulator's stand-in in devstack) once. */
  var sdkLoading = null;
  function tossSdk() {
    if (window.TossPayments) return Promise.resolve(window.TossPayments);
    if (!sdkLoading) {
      sdkLoading = new Promise(function (resolve, reject) {
        var script = h('script', { src: CFG.tossSdkUrl });
        script.onload = function () { resolve(window.TossPayments); };
        script.onerror = function () { reject(new Error('Toss SDK could not be loaded')); };
        document.head.appendChild(script);
      });
    }
    return sdkLoading;
  }

  function nav() {
    var n = document.getElementById('nav');
    n.textContent = '';
    var s = session();
    if (!s) {
      n.appendChild(h('a', { href: '/login', id: 'nav-login', text: '로그인' }));
      n.appendChild(h('a', { href: '/signup', id: 'nav-signup', text: '회원가입' }));
      return;
    }
    n.appendChild(h('span', { id: 'whoami', class: 'muted', text: s.email + ' (' + s.role + ')' }));
    if (s.role === 'CUSTOMER') {
      n.appendChild(h('a', { href: '/orders', id: 'nav-orders', text: '주문 내역' }));
      n.appendChild(h('a', { href: '/card', id: 'nav-card', text: '카드' }));
    }
    if (s.role === 'SELLER') n.appendChild(h('a', { href: '/seller', id: 'nav-seller', text: '판매자' }));
    n.appendChild(h('button', { class: 'secondary', id: 'nav-logout', onclick: logout, text: '로그아웃' }));
  }

  // ------------------------------------------------------------------ pages: account

  function home() {
    var s = session();
    show(h('h1', { text: 'EventMall' }),
      h('p', { text: '검색창에 상품 이름을 넣어 보세요 (예: 무선, 키보드, 감귤).' }),
      s ? null : h('p', {}, h('a', { href: '/signup', text: '회원가입' }), ' 또는 ', h('a', { href: '/login', text: '로그인' })));
  }

  function loginPage() {
    var error = h('p', { class: 'error', id: 'login-error' });
    var email = h('input', { id: 'login-email', type: 'email', required: true, autocomplete: 'username' });
    var password = h('input', { id: 'login-password', type: 'password', required: true,
      autocomplete: 'current-password' });
    show(h('h1', { text: '로그인' }), h('form', { class: 'card', onsubmit: async function (e) {
      e.preventDefault();
      error.textContent = '';
      if (await login(email.value, password.value, error)) go(params().get('next') || '/');
    } }, h('label', {}, '이메일', email), h('label', {}, '비밀번호', password),
    h('button', { id: 'login-submit', text: '로그인' }), error));
  }

  async function login(email, password, error) {
    var r = await api('member', 'POST', '/auth/login', { email: email, password: password }, { anonymous: true });
    if (r.status !== 200) { error.textContent = problemText(r); return false; }
    saveSession({ accessToken: r.data.accessToken, refreshToken: r.data.refreshToken, memberId: r.data.memberId,
      role: r.data.role, email: email });
    return true;
  }

  function signupPage() {
    var error = h('p', { class: 'error', id: 'signup-error' });
    var email = h('input', { id: 'signup-email', type: 'email', required: true, autocomplete: 'username' });
    var password = h('input', { id: 'signup-password', type: 'password', required: true, minlength: 8,
      autocomplete: 'new-password' });
    var name = h('input', { id: 'signup-name', required: true, maxlength: 100 });
    var role = h('select', { id: 'signup-role' }, h('option', { value: 'CUSTOMER', text: '구매자 (customer)' }),
      h('option', { value: 'SELLER', text: '판매자 (seller)' }));
    show(h('h1', { text: '회원가입' }), h('form', { class: 'card', onsubmit: async function (e) {
      e.preventDefault();
      error.textContent = '';
      var r = await api('member', 'POST', '/members', { email: email.value, password: password.value,
        name: name.value, role: role.value }, { anonymous: true });
      if (r.status !== 201) { error.textContent = problemText(r); return; }
      if (await login(email.value, password.value, error)) go(role.value === 'SELLER' ? '/seller' : '/');
    } }, h('label', {}, '이메일', email), h('label', {}, '비밀번호 (8자 이상)', password), h('label', {}, '이름', name),
    h('label', {}, '계정 종류', role), h('button', { id: 'signup-submit', text: '가입하기' }), error));
  }

  // ------------------------------------------------------------------ pages: shop

  async function searchPage() {
    var q = params().get('q') || '';
    var sort = params().get('sort') || 'relevance';
    document.getElementById('q').value = q;
    var list = h('ul', { class: 'results', id: 'results' });
    var status = h('p', { class: 'muted', id: 'search-status', text: '검색 중…' });
    var sorts = { relevance: '정확도순', newest: '최신순', price_asc: '낮은 가격순', price_desc: '높은 가격순' };
    var sortSelect = h('select', { id: 'sort', onchange: function () {
      go('/search?q=' + encodeURIComponent(q) + '&sort=' + encodeURIComponent(sortSelect.value));
    } }, Object.keys(sorts).map(function (k) {
      return h('option', { value: k, selected: k === sort, text: sorts[k] });
    }));
    show(h('h1', { text: '"' + q + '" 검색 결과' }), h('div', { class: 'row' }, status, sortSelect), list);
    var r = await api('search', 'GET', '/search?size=50&q=' + encodeURIComponent(q) + '&sort='
      + encodeURIComponent(sort), undefined, { anonymous: true });
    if (r.status !== 200) { status.className = 'error'; status.textContent = problemText(r); return; }
    status.textContent = r.data.total + '개의 상품';
    r.data.items.forEach(function (p) {
      list.appendChild(h('li', { class: 'result' }, h('a', { href: '/product/' + encodeURIComponent(p.productId),
        class: 'result-link', text: p.name }), h('span', { class: 'price', text: won(p.price) })));
    });
  }

  async function productPage(id) {
    var r = await api('catalog', 'GET', '/products/' + encodeURIComponent(id), undefined, { anonymous: true });
    if (r.status !== 200) { show(h('p', { class: 'error', id: 'page-error', text: problemText(r) })); return; }
    var p = r.data;
    var info = h('div', { class: 'card' }, h('h1', { id: 'product-name', text: p.name }),
      h('p', { class: 'price', id: 'product-price', text: won(p.price) }),
      h('p', { class: 'muted', id: 'product-stock', text: '재고 ' + p.stock + '개 · ' + p.category }),
      p.description ? h('p', { text: p.description }) : null);
    var s = session();
    if (!s || s.role !== 'CUSTOMER') {
      show(info, h('p', {}, h('a', { href: '/login?next=' + encodeURIComponent(location.pathname),
        text: '구매자로 로그인하면 주문할 수 있습니다.' })));
      return;
    }
    show(info, await orderForm(p));
  }

  /** Quantity, address (added here when there is none) and how to pay; places the order. */
  async function orderForm(p) {
    var error = h('p', { class: 'error', id: 'order-error' });
    var quantity = h('input', { id: 'quantity', type: 'number', min: 1, max: 100, value: 1 });
    var address = h('select', { id: 'address' });
    var addressBox = h('div', { id: 'address-box' });
    var key = await api('payment', 'GET', '/payments/billing-keys/me');
    var billing = h('input', { type: 'radio', name: 'pay', id: 'pay-billing', value: 'BILLING',
      checked: key.status === 200, disabled: key.status !== 200 });
    var checkout = h('input', { type: 'radio', name: 'pay', id: 'pay-checkout', value: 'CHECKOUT',
      checked: key.status !== 200 });

    async function loadAddresses() {
      var a = await api('member', 'GET', '/members/me/addresses');
      address.textContent = '';
      addressBox.textContent = '';
      var items = a.status === 200 ? a.data.items : [];
      items.forEach(function (x) {
        address.appendChild(h('option', { value: x.id, text: x.recipient + ' · ' + x.line1 + ' ' + (x.line2 || '') }));
      });
      if (items.length) { addressBox.appendChild(h('label', {}, '배송지', address)); return; }
      var f = {
        recipient: h('input', { id: 'addr-recipient', required: true }), phone: h('input', { id: 'addr-phone',
          required: true, placeholder: '010-1234-5678' }), zipCode: h('input', { id: 'addr-zip', required: true,
          placeholder: '04524' }), line1: h('input', { id: 'addr-line1', required: true }),
        line2: h('input', { id: 'addr-line2' })
      };
      var addrError = h('p', { class: 'error', id: 'addr-error' });
      addressBox.appendChild(h('div', { class: 'card' }, h('strong', { text: '배송지 추가' }),
        h('label', {}, '받는 분', f.recipient), h('label', {}, '전화번호', f.phone), h('label', {}, '우편번호', f.zipCode),
        h('label', {}, '주소', f.line1), h('label', {}, '상세 주소', f.line2),
        h('button', { type: 'button', id: 'addr-save', onclick: async function () {
          var body = {};
          Object.keys(f).forEach(function (k) { if (f[k].value) body[k] = f[k].value; });
          var r = await api('member', 'POST', '/members/me/addresses', body);
          if (r.status !== 201) { addrError.textContent = problemText(r); return; }
          loadAddresses();
        }, text: '배송지 저장' }), addrError));
    }
    await loadAddresses();

    var submit = h('button', { id: 'order-submit', text: '주문하기' });
    return h('form', { class: 'card', onsubmit: async function (e) {
      e.preventDefault();
      error.textContent = '';
      if (!address.value) { error.textContent = '배송지를 먼저 저장하세요.'; return; }
      submit.disabled = true;
      var body = { lines: [{ productId: p.productId, quantity: Number(quantity.value) }], addressId: address.value,
        paymentMethod: billing.checked ? 'BILLING' : 'CHECKOUT' };
      var idempotencyKey = uuid();
      // a new address reaches the order service through member.events (422 until then); a full saga answers 503
      // with Retry-After-Ms: the same request is retried with the same Idempotency-Key
      for (var attempt = 0; attempt < 40; attempt++) {
        var r = await api('order', 'POST', '/orders', body, { headers: { 'Idempotency-Key': idempotencyKey } });
        if (r.status === 201) { go('/order/' + encodeURIComponent(r.data.orderId)); return; }
        var unknownAddress = r.status === 422 && JSON.stringify(r.data || {}).indexOf('addressId') >= 0;
        if (r.status === 503 || unknownAddress) {
          await sleep(r.status === 503 ? Number(r.headers.get('Retry-After-Ms') || 500) : 250);
          continue;
        }
        error.textContent = problemText(r);
        break;
      }
      submit.disabled = false;
    } }, h('label', {}, '수량', quantity), addressBox,
    h('p', {}, h('label', {}, billing, ' 저장된 카드로 결제 (자동결제)' + (key.status === 200 ? ' · ' + key.data.cardMasked
      : ' · 등록된 카드 없음')), h('label', {}, checkout, ' 결제창에서 카드 결제')),
    submit, error);
  }

  // ------------------------------------------------------------------ pages: orders

  async function ordersPage() {
    if (!requireLogin('CUSTOMER')) return;
    var r = await api('order', 'GET', '/orders?size=50');
    if (r.status !== 200) { show(h('p', { class: 'error', text: problemText(r) })); return; }
    show(h('h1', { text: '주문 내역' }), h('ul', { class: 'results', id: 'orders' }, r.data.items.map(function (o) {
      return h('li', {}, h('a', { href: '/order/' + encodeURIComponent(o.orderId), text: o.orderName }),
        h('span', { class: 'status', text: STATUS_KO[o.status] || o.status }));
    })));
  }

  /** The order's status, timeline, payment and delivery tracking, refreshed until the order is settled. */
  async function orderPage(id) {
    if (!requireLogin('CUSTOMER')) return;
    var status = h('span', { class: 'status', id: 'order-status' });
    var title = h('h1', { id: 'order-name' });
    var summary = h('p', { id: 'order-summary', class: 'muted' });
    var payment = h('div', { class: 'card', id: 'payment' });
    var delivery = h('div', { class: 'card', id: 'delivery' });
    var timeline = h('ul', { class: 'timeline', id: 'timeline' });
    show(title, h('p', {}, '상태: ', status), summary, payment, delivery,
      h('div', { class: 'card' }, h('strong', { text: '타임라인' }), timeline));
    var lastPayment = null;
    var lastDelivery = null;
    for (;;) {
      var o = await api('order', 'GET', '/orders/' + encodeURIComponent(id));
      if (o.status !== 200) { show(h('p', { class: 'error', id: 'page-error', text: problemText(o) })); return; }
      var order = o.data;
      title.textContent = order.orderName;
      status.textContent = order.status;
      status.title = STATUS_KO[order.status] || order.status;
      summary.textContent = won(order.totalAmount) + ' · ' + (order.paymentMethod === 'BILLING' ? '자동결제' : '결제창');
      var t = await api('order', 'GET', '/orders/' + encodeURIComponent(id) + '/timeline');
      if (t.status === 200) {
        timeline.textContent = '';
        t.data.items.forEach(function (e) {
          timeline.appendChild(h('li', { class: 'timeline-entry' }, h('strong', { text: e.type }),
            ' ' + (e.toStatus || '') + ' · ' + new Date(e.occurredAt).toLocaleTimeString('ko-KR')));
        });
      }
      // each section is rebuilt only when what it shows changed (a button being clicked stays the same element)
      var pay = await api('payment', 'GET', '/payments/orders/' + encodeURIComponent(id));
      var payView = JSON.stringify([pay.status, pay.data && pay.data.status, pay.data && pay.data.failureMessage]);
      if (payView !== lastPayment) {
        lastPayment = payView;
        payment.textContent = '';
        payment.appendChild(h('strong', { text: '결제 ' }));
        if (pay.status === 200) {
          payment.appendChild(h('span', { id: 'payment-status', text: pay.data.status }));
          if (pay.data.failureMessage) {
            payment.appendChild(h('p', { class: 'error', id: 'payment-failure', text: pay.data.failureMessage }));
          }
          if (pay.data.status === 'AWAITING_CHECKOUT') {
            payment.appendChild(h('button', { id: 'pay-now', onclick: payCheckout.bind(null, order),
              text: won(order.totalAmount) + ' 결제하기' }));
          }
        } else {
          payment.appendChild(h('span', { class: 'muted', id: 'payment-status', text: '준비 중' }));
        }
      }
      var d = await api('delivery', 'GET', '/deliveries/' + encodeURIComponent(id));
      var deliveryView = JSON.stringify([d.status, d.data]);
      if (deliveryView !== lastDelivery) {
        lastDelivery = deliveryView;
        delivery.textContent = '';
        delivery.appendChild(h('strong', { text: '배송 ' }));
        if (d.status === 200) {
          delivery.appendChild(h('span', { id: 'delivery-status', text: d.data.status }));
          if (d.data.trackingNumber) {
            delivery.appendChild(h('p', { id: 'tracking' }, (d.data.carrier || '') + ' 운송장 ',
              h('span', { id: 'tracking-number', text: d.data.trackingNumber })));
          }
          delivery.appendChild(h('ul', { class: 'timeline', id: 'delivery-events' }, (d.data.events || [])
            .map(function (e) {
              return h('li', { text: e.status + ' · ' + new Date(e.at).toLocaleTimeString('ko-KR')
                + (e.description ? ' · ' + e.description : '') });
            })));
        } else {
          delivery.appendChild(h('span', { class: 'muted', id: 'delivery-status', text: '준비 중' }));
        }
      }
      if (TERMINAL.indexOf(order.status) >= 0) {
        status.setAttribute('data-settled', 'true');
        return;
      }
      await sleep(700);
    }
  }

  /** Toss's payment window for a CHECKOUT order (SDK v2 standard). */
  async function payCheckout(order) {
    var keys = await api('payment', 'GET', '/payments/toss-client');
    if (keys.status !== 200) { alert(problemText(keys)); return; }
    var TossPayments = await tossSdk();
    var payment = TossPayments(keys.data.clientKey).payment({ customerKey: keys.data.customerKey });
    await payment.requestPayment({
      method: 'CARD', amount: { currency: 'KRW', value: order.totalAmount }, orderId: order.orderId,
      orderName: order.orderName, successUrl: location.origin + '/pay/success',
      failUrl: location.origin + '/pay/fail'
    });
  }

  /** Toss's success redirect: the amount goes back to the server, which checks it against the order, then confirms. */
  async function paySuccessPage() {
    if (!requireLogin('CUSTOMER')) return;
    var q = params();
    var orderId = q.get('orderId');
    var message = h('p', { id: 'pay-result', text: '결제를 승인하는 중…' });
    show(h('h1', { text: '결제' }), message);
    var r = await api('payment', 'POST', '/payments/confirm', { paymentKey: q.get('paymentKey'), orderId: orderId,
      amount: Number(q.get('amount')) });
    if (r.status === 200) { go('/order/' + encodeURIComponent(orderId)); return; }
    var failure = null;
    if (r.status === 422) {
      var pay = await api('payment', 'GET', '/payments/orders/' + encodeURIComponent(orderId));
      if (pay.status === 200) failure = pay.data.failureMessage;
    }
    message.className = 'error';
    message.id = 'pay-error';
    message.textContent = failure || problemText(r);
    app.appendChild(h('p', {}, h('a', { href: '/order/' + encodeURIComponent(orderId), id: 'back-to-order',
      text: '주문 보기' })));
  }

  function payFailPage() {
    var q = params();
    var orderId = q.get('orderId');
    show(h('h1', { text: '결제 실패' }), h('p', { class: 'error', id: 'pay-error', text: (q.get('message') || '')
      + ' (' + (q.get('code') || '') + ')' }),
    orderId ? h('p', {}, h('a', { href: '/order/' + encodeURIComponent(orderId), id: 'back-to-order',
      text: '주문으로 돌아가 다시 결제하기' })) : null);
  }

  // ------------------------------------------------------------------ pages: card (billing auth)

  async function cardPage() {
    if (!requireLogin('CUSTOMER')) return;
    var key = await api('payment', 'GET', '/payments/billing-keys/me');
    var error = h('p', { class: 'error', id: 'card-error' });
    show(h('h1', { text: '자동결제 카드' }), h('div', { class: 'card' },
      h('p', { id: 'card-status', text: key.status === 200 ? '등록된 카드: ' + key.data.cardMasked : '등록된 카드 없음' }),
      h('button', { id: 'register-card', onclick: async function () {
        var keys = await api('payment', 'GET', '/payments/toss-client');
        if (keys.status !== 200) { error.textContent = problemText(keys); return; }
        try {
          var TossPayments = await tossSdk();
          await TossPayments(keys.data.billingClientKey).payment({ customerKey: keys.data.customerKey })
            .requestBillingAuth({ method: 'CARD', successUrl: location.origin + '/card/success',
              failUrl: location.origin + '/card/fail' });
        } catch (e) { error.textContent = e.message; }
      }, text: key.status === 200 ? '다른 카드로 바꾸기' : '카드 등록하기' }), error),
    h('p', { class: 'muted', text: '카드 번호는 토스페이먼츠 창에서만 입력됩니다. EventMall은 카드 번호를 받지 않습니다.' }));
  }

  async function cardSuccessPage() {
    if (!requireLogin('CUSTOMER')) return;
    var q = params();
    var result = h('p', { id: 'card-result', text: '카드를 등록하는 중…' });
    show(h('h1', { text: '카드 등록' }), result);
    var r = await api('payment', 'POST', '/payments/billing-keys', { authKey: q.get('authKey'),
      customerKey: q.get('customerKey') });
    if (r.status === 201) {
      result.className = 'ok';
      result.id = 'card-registered';
      result.textContent = '등록되었습니다: ' + r.data.cardMasked;
      app.appendChild(h('p', {}, h('a', { href: '/', text: '쇼핑 계속하기' })));
    } else {
      result.className = 'error';
      result.id = 'card-error';
      result.textContent = problemText(r);
    }
  }

  function cardFailPage() {
    var q = params();
    show(h('h1', { text: '카드 등록 실패' }), h('p', { class: 'error', id: 'card-error', text: (q.get('message') || '')
      + ' (' + (q.get('code') || '') + ')' }), h('p', {}, h('a', { href: '/card', text: '다시 시도' })));
  }

  // ------------------------------------------------------------------ pages: seller

  function productFields(p) {
    p = p || {};
    return {
      name: h('input', { id: 'p-name', required: true, maxlength: 200, value: p.name || '' }),
      description: h('textarea', { id: 'p-description', maxlength: 5000, text: p.description || '' }),
      category: h('input', { id: 'p-category', required: true, pattern: '[a-z0-9-]{1,50}', value: p.category || '' }),
      price: h('input', { id: 'p-price', type: 'number', min: 0, required: true, value: p.price === undefined ? ''
        : p.price }),
      stock: h('input', { id: 'p-stock', type: 'number', min: 0, required: true, value: p.stock === undefined ? ''
        : p.stock })
    };
  }

  function productForm(f, label, onsubmit) {
    var error = h('p', { class: 'error', id: 'product-error' });
    return h('form', { class: 'card', id: 'product-form', onsubmit: async function (e) {
      e.preventDefault();
      error.textContent = '';
      var r = await onsubmit({ name: f.name.value, description: f.description.value, category: f.category.value,
        price: Number(f.price.value), stock: Number(f.stock.value) });
      if (r) error.textContent = r;
    } }, h('label', {}, '상품명', f.name), h('label', {}, '설명', f.description),
    h('label', {}, '카테고리 (영문 소문자, 숫자, -)', f.category), h('label', {}, '가격 (원)', f.price),
    h('label', {}, '재고', f.stock), h('button', { id: 'product-save', text: label }), error);
  }

  async function sellerPage() {
    if (!requireLogin('SELLER')) return;
    var list = h('ul', { class: 'results', id: 'seller-products' });
    var saved = h('p', { class: 'ok', id: 'product-saved' });
    var f = productFields();
    async function load() {
      var r = await api('catalog', 'GET', '/sellers/me/products?size=100');
      list.textContent = '';
      (r.status === 200 ? r.data.items : []).forEach(function (p) {
        list.appendChild(h('li', { class: 'seller-product' }, h('span', { text: p.name + ' · ' + won(p.price)
          + ' · 재고 ' + p.stock }), h('a', { href: '/seller/product/' + encodeURIComponent(p.productId),
          text: '수정' })));
      });
    }
    show(h('h1', { text: '판매자: 내 상품' }), list, h('h2', { text: '상품 등록' }), productForm(f, '등록하기',
      async function (body) {
        var r = await api('catalog', 'POST', '/products', body);
        if (r.status !== 201) return problemText(r);
        saved.textContent = '등록됨: ' + r.data.name;
        Object.keys(f).forEach(function (k) { f[k].value = ''; });
        await load();
        return null;
      }), saved);
    await load();
  }

  async function sellerProductPage(id) {
    if (!requireLogin('SELLER')) return;
    var r = await api('catalog', 'GET', '/products/' + encodeURIComponent(id));
    if (r.status !== 200) { show(h('p', { class: 'error', id: 'page-error', text: problemText(r) })); return; }
    var f = productFields(r.data);
    show(h('h1', { text: '상품 수정' }), productForm(f, '저장하기', async function (body) {
      var u = await api('catalog', 'PUT', '/products/' + encodeURIComponent(id), body);
      if (u.status !== 200) return problemText(u);
      go('/seller');
      return null;
    }));
  }

  // ------------------------------------------------------------------ routing

  function route() {
    nav();
    var path = location.pathname;
    var m;
    if (path === '/') return home();
    if (path === '/login') return loginPage();
    if (path === '/signup') return signupPage();
    if (path === '/search') return searchPage();
    if ((m = path.match(/^\/product\/([^/]+)$/))) return productPage(decodeURIComponent(m[1]));
    if (path === '/orders') return ordersPage();
    if ((m = path.match(/^\/order\/([^/]+)$/))) return orderPage(decodeURIComponent(m[1]));
    if (path === '/card') return cardPage();
    if (path === '/card/success') return cardSuccessPage();
    if (path === '/card/fail') return cardFailPage();
    if (path === '/pay/success') return paySuccessPage();
    if (path === '/pay/fail') return payFailPage();
    if (path === '/seller') return sellerPage();
    if ((m = path.match(/^\/seller\/product\/([^/]+)$/))) return sellerProductPage(decodeURIComponent(m[1]));
    show(h('p', { class: 'error', text: '페이지가 없습니다.' }));
  }

  route();
})();
